using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Cloud;

/// <summary>The SSM calls the controller makes. Nothing here waits for a command to finish.</summary>
public interface ISsmGateway
{
    /// <summary>Sends the request to the instance (coalesced with identical requests to other instances, up to 50 per command); returns the command id.</summary>
    Task<string> SendAsync(string instanceId, AgentRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Sends an <c>install-cert</c> of <paramref name="certificatePem"/> to the instance, batched with other
    /// instances' installs of the same <paramref name="shared"/> request (CA bundle, peers; no <c>host.crt</c>):
    /// up to 50 instances per command, their certificates in one <c>host-certs</c> input file
    /// (<see cref="CertificateBatch"/>), from which each host takes its own. Returns the command id.
    /// </summary>
    Task<string> SendCertificateAsync(string instanceId, string certificatePem, AgentRequest shared, CancellationToken cancellationToken) =>
        SendAsync(instanceId, new AgentRequest(shared.Verbs, shared.Parameters,
            new Dictionary<string, byte[]>(shared.Files, StringComparer.Ordinal) { ["host.crt"] = System.Text.Encoding.ASCII.GetBytes(certificatePem) }), cancellationToken);

    /// <summary>Every invocation requested since <paramref name="since"/> (one paginated listing, 50 per call), or of one command.</summary>
    Task<IReadOnlyList<InvocationSummary>> ListInvocationsAsync(DateTimeOffset since, string? commandId, bool details, CancellationToken cancellationToken);

    /// <summary>A finished invocation in full (GetCommandInvocation: up to 24,000 characters of output, 8,000 of errors), parsed.</summary>
    Task<CommandSnapshot> FetchAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken);

    Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Sends one request to every instance carrying the tag (SSM Targets): one call however large the fleet.</summary>
    Task<string> SendToTaggedAsync(string tagKey, string tagValue, AgentRequest request, CancellationToken cancellationToken);

    /// <summary>This controller's commands invoked since <paramref name="since"/>, newest per instance: what a restarted controller resumes.</summary>
    Task<IReadOnlyDictionary<string, TrackedCommand>> RecoverAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
