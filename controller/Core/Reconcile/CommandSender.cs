using System.Net;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Sends one agent request to a host through SSM Run Command (batched with other hosts' identical requests), records
/// it in the <see cref="CommandLedger"/> and writes the status tag that says what runs. Never waits for the command.
/// SSM and EC2 errors propagate (the reconcile is retried); a failed send records nothing.
/// </summary>
public sealed class CommandSender(ISsmGateway ssm, CommandLedger ledger, InstanceTagWriter tags, DesiredStateProvider desired, LatePeerList latePeers, IpsecMeshOptions options)
{
    /// <summary>The verbs a <see cref="Decision.Send"/> names, with the config this host should run.</summary>
    public async Task SendAsync(Observation observation, InstanceRecord record, Decision.Send send, CancellationToken cancellationToken)
    {
        var config = desired.ConfigOf(observation);
        // install and apply-config load conns: the host then initiates to its enrolled peers.
        var peers = send.Verbs.Contains(AgentVerbs.Install) || send.Verbs.Contains(AgentVerbs.ApplyConfig) ? PeersOf(config.Policy) : null;
        var request = AgentRequests.ForVerbs(send.Verbs, config.Policy, config.Bundle, config.Hash, options.HostKeyType, config.Crls, config.RevokedPeers, peers);
        await SendAsync(observation, record, request, () => ssm.SendAsync(observation.InstanceId, request, cancellationToken), send.Status, send.AppliedConfigHash, cancellationToken,
            forgetCertificate: send.ForgetCertificate);
        record.CsrSentInTodo = send.Verbs.Contains(AgentVerbs.Csr) && observation.Phase == Phase.Todo;
    }

    /// <summary>
    /// A certificate install, batched with other hosts' installs of the same CA bundle and peers (one command for up to 50
    /// hosts). <paramref name="fromCsr"/>: the certificate was signed from the CSR the host just sent; <paramref name="renewalCsr"/>: by a renewal's csr.
    /// </summary>
    public async Task SendCertificateAsync(Observation observation, InstanceRecord record, string certificatePem, string? appliedConfigHash, bool fromCsr, bool renewalCsr, CancellationToken cancellationToken)
    {
        var shared = AgentRequests.InstallCertShared(desired.ConfigOf(observation).Bundle, PeersForCertificate(observation));
        await SendAsync(observation, record, shared, () => ssm.SendCertificateAsync(observation.InstanceId, certificatePem, shared, cancellationToken), StatusText.InstallingCertificate, appliedConfigHash, cancellationToken);
        if (fromCsr) CommandLedger.InstallsCertFromCsr(record, renewalCsr);
    }

    /// <summary>A PKCS#12 made by the controller (<c>ControllerKey</c> enrolment), encrypted for this host only.</summary>
    public Task SendPackageAsync(Observation observation, InstanceRecord record, IssuedKeyPackage package, string? appliedConfigHash, CancellationToken cancellationToken)
    {
        var request = AgentRequests.InstallP12(package, desired.ConfigOf(observation).Bundle, PeersForCertificate(observation));
        return SendAsync(observation, record, request, () => ssm.SendAsync(observation.InstanceId, request, cancellationToken), StatusText.InstallingCertificate, appliedConfigHash, cancellationToken);
    }

    private async Task SendAsync(Observation observation, InstanceRecord record, AgentRequest request, Func<Task<string>> send, string status, string? appliedConfigHash,
        CancellationToken cancellationToken, bool forgetCertificate = false)
    {
        await ledger.SendAsync(record, request, send);
        var written = new Dictionary<string, string>(StringComparer.Ordinal) { [options.StatusTagKey] = StatusText.Clean(StatusText.WhileRetrying(observation, status)) };
        await tags.WriteAsync(observation, record, written, [], cancellationToken, new HostFactsChange(appliedConfigHash, ForgetCertificate: forgetCertificate));
    }

    /// <summary>The enrolled peers the host initiates to once its conns are loaded (none when <see cref="IpsecMeshOptions.LatePeerLimit"/> is 0).</summary>
    private IReadOnlyList<IPAddress> PeersOf(MeshPolicy policy) => options.LatePeerLimit <= 0 ? [] : latePeers.For(policy);

    /// <summary>Peers for a certificate install: only the first certificate loads the host's certificate conns.</summary>
    private IReadOnlyList<IPAddress>? PeersForCertificate(Observation observation) =>
        observation.InstalledCertExpiry is null ? PeersOf(desired.ConfigOf(observation).Policy) : null;
}
