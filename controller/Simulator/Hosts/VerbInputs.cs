using System.Security.Cryptography;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Simulator.Hosts;

/// <summary>
/// What a verb of a <see cref="VirtualHost"/> needs from outside the host (the instance's name from the fleet,
/// the peers' state, a KMS decrypt), read before the host takes its own lock, so that no lock is ever held
/// across a call into another simulated component or another host.
/// </summary>
internal sealed class VerbInputs : IDisposable
{
    private VerbInputs()
    {
    }

    public string? PrivateDnsName { get; private init; }
    public int EnabledPeers { get; private init; }
    public byte[]? P12Password { get; private init; }
    public string? KmsError { get; private init; }

    public static VerbInputs Gather(string verb, AgentRequest request, CommandContext context) => verb switch
    {
        AgentVerbs.Csr => new VerbInputs { PrivateDnsName = context.Instance.PrivateDnsName },
        AgentVerbs.Status => new VerbInputs { EnabledPeers = context.EnabledPeerCount() },
        AgentVerbs.InstallP12 => DecryptPassword(request, context),
        _ => new VerbInputs(),
    };

    private static VerbInputs DecryptPassword(AgentRequest request, CommandContext context)
    {
        if (!request.Files.TryGetValue("p12-password.kms", out var wrapped)) return new VerbInputs();
        // As the agent does: the context names this instance by id and by the ARN built from its metadata.
        var metadata = context.Metadata;
        var encryptionContext = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["InstanceId"] = metadata.InstanceId,
            ["InstanceArn"] = metadata.InstanceArn,
        };
        try
        {
            return new VerbInputs { P12Password = context.DecryptAsThisInstance(wrapped, encryptionContext) };
        }
        catch (AwsServiceException e)
        {
            return new VerbInputs { KmsError = e.Code };
        }
    }

    public void Dispose()
    {
        if (P12Password is not null) CryptographicOperations.ZeroMemory(P12Password);
    }
}
