using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// Batched certificate installs: every <c>install-cert</c> of one shared request (the same CA bundle and
/// peers) submitted within a batch window goes out as one SendCommand to up to 50 instances, the
/// certificates in one input file (<see cref="CertificateBatch"/>, <c>hosts/inputs/&lt;sha256&gt;</c>).
/// Certificates are public, so every host of the batch may see the others'; each installs only its own.
/// An instance SSM refuses is dropped and the rest sent again at once (<see cref="SendToAsync"/>), with
/// the same input file: the dropped one's line in it is harmless.
/// </summary>
public sealed partial class SsmGateway
{
    private readonly Batcher<string, SendOutcome> _certificateSends;
    // The shared request of each certificate batch group, with how many sends still wait on it.
    private readonly Dictionary<string, (AgentRequest Shared, int Users)> _sharedByGroup = [];
    // Each waiting send's certificate, by (group, instance id).
    private readonly Dictionary<(string Group, string InstanceId), string> _certificates = [];

    public async Task<string> SendCertificateAsync(string instanceId, string certificatePem, AgentRequest shared, CancellationToken cancellationToken)
    {
        if (shared.Files.ContainsKey("host.crt") || shared.Files.ContainsKey(CertificateBatch.FileName))
            throw new ArgumentException("the shared request of a certificate batch carries no certificate", nameof(shared));
        var group = AgentCommand.Comment(shared) + "\n" + (shared.ToPayload().Inputs?.Sha256 ?? "");
        lock (_gate)
        {
            _sharedByGroup[group] = (shared, _sharedByGroup.TryGetValue(group, out var known) ? known.Users + 1 : 1);
            _certificates[(group, instanceId)] = certificatePem;
        }
        try
        {
            var outcome = await _certificateSends.SubmitAsync(group, instanceId, cancellationToken);
            return outcome.CommandId ?? throw outcome.Error!;
        }
        finally
        {
            lock (_gate)
            {
                _certificates.Remove((group, instanceId));
                var (known, users) = _sharedByGroup[group];
                if (users <= 1) _sharedByGroup.Remove(group);
                else _sharedByGroup[group] = (known, users - 1);
            }
        }
    }

    private async Task<IReadOnlyDictionary<string, SendOutcome>> SendCertificateBatchAsync(string group, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        AgentRequest shared;
        var certificates = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (_gate)
        {
            shared = _sharedByGroup[group].Shared;
            foreach (var id in instanceIds) certificates[id] = _certificates[(group, id)];
        }
        var files = new Dictionary<string, byte[]>(shared.Files, StringComparer.Ordinal) { [CertificateBatch.FileName] = CertificateBatch.Render(certificates) };
        var payload = new AgentRequest(shared.Verbs, shared.Parameters, files).ToPayload();
        await _inputs.EnsureAsync(payload.Inputs!, cancellationToken);
        var outcomes = new Dictionary<string, SendOutcome>(StringComparer.Ordinal);
        await SendToAsync(instanceIds, AgentCommand.Comment(shared), AgentDocument.Parameters(payload, ExecutionTimeoutSeconds), outcomes, cancellationToken);
        return outcomes;
    }
}
