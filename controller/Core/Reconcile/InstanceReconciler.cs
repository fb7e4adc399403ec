using System.Diagnostics;
using System.Globalization;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.Core.Vpc;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Certificates;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Observe → decide → act for one instance. Never waits on a running SSM command: it records the
/// command id, returns a requeue, and polls on the next pass. Idempotent: running it twice, or after
/// a crash at any point, converges to the same state without a second certificate or command.
/// </summary>
public sealed class InstanceReconciler(
    IEc2Gateway ec2,
    ISsmGateway ssm,
    IMeshCertificateAuthority authority,
    IIssuanceRegistry registry,
    CertificateCache certificates,
    InstanceStore store,
    DesiredStateProvider desired,
    ConfigRollout rollout,
    SecurityGroupChecker securityGroups,
    RevocationQueue revocations,
    CommandWatcher commands,
    RotationGate rotations,
    TagSeal seal,
    IpsecMeshOptions options,
    TimeProvider time,
    IpsecMeshTelemetry telemetry,
    ILogger<InstanceReconciler> logger)
{
    private const int MaxStepsPerPass = 8;
    // The command watcher queues an instance as soon as its command finishes; the poll requeue is only a fallback.
    private readonly DecisionTimings _timings = new(
        TimeSpan.FromTicks(Math.Max(options.CommandPollInterval.Ticks * 12, TimeSpan.FromMinutes(1).Ticks)), options.AgentWaitInterval);

    public async Task<ReconcileOutcome> ReconcileAsync(string instanceId, CancellationToken cancellationToken)
    {
        var record = store.Get(instanceId);
        var observation = await ObserveAsync(instanceId, record, cancellationToken);
        // A certificate install that finished (whatever its outcome) frees its rotation slot after the settle time.
        if (observation.Command is { IsFinished: true } done && (done.Includes(AgentVerbs.InstallCert) || done.Includes(AgentVerbs.InstallP12)))
            rotations.Finished(instanceId);
        for (var step = 0; step < MaxStepsPerPass; step++)
        {
            var decision = Decider.Decide(observation, _timings);
            Log.Decided(logger, decision.GetType().Name, decision.Why);
            Activity.Current?.AddEvent(new ActivityEvent("decision", tags: new ActivityTagsCollection { ["decision"] = decision.GetType().Name, ["why"] = decision.Why }));
            switch (decision)
            {
                case Decision.ObserveHost:
                    observation = await ObserveHostAsync(observation, cancellationToken);
                    continue;
                case Decision.Poll poll:
                    return new ReconcileOutcome.Requeue(poll.After);
                case Decision.Backoff backoff:
                    return new ReconcileOutcome.Requeue(backoff.After);
                case Decision.Idle idle:
                    ConsumeFinished(record);
                    // Untagged instances reach us through state-change events for the whole region; remember only ours.
                    if (observation.Intent == Intent.Absent && observation.Certificate is null) store.Forget(instanceId);
                    return new ReconcileOutcome.Done(idle.RequeueAfter);
                case Decision.Wait wait:
                    await SetStatusAsync(observation, record, wait.Status, cancellationToken);
                    ConsumeFinished(record);
                    return wait.RequeueAfter is { } after ? new ReconcileOutcome.Requeue(after) : new ReconcileOutcome.Done(null);
                case Decision.Send send:
                    var config = ConfigOf(observation);
                    // install and apply-config load conns: the host then initiates to its enrolled peers.
                    var peers = send.Verbs.Contains(AgentVerbs.Install) || send.Verbs.Contains(AgentVerbs.ApplyConfig) ? PeersOf(observation, config.Policy) : null;
                    await SendAsync(observation, record, AgentRequests.ForVerbs(send.Verbs, config.Policy, config.Bundle, config.Hash, options.HostKeyType, config.Crls, config.RevokedPeers, peers), send.Status, send.AppliedConfigHash, cancellationToken,
                        forget: send.ForgetCertificate ? [options.CertExpiryTagKey] : []);
                    return new ReconcileOutcome.Requeue(options.CommandPollInterval);
                case Decision.SignAndInstall sign:
                    if (!EnterRotation(observation, out var signWait)) return new ReconcileOutcome.Requeue(signWait);
                    return await GatedAsync(observation, record, () => SignAndInstallAsync(observation, record, sign, cancellationToken)) is { } rejected
                        ? new ReconcileOutcome.Retry(rejected)
                        : new ReconcileOutcome.Requeue(options.CommandPollInterval);
                case Decision.IssueKeyAndInstall issue:
                    if (!EnterRotation(observation, out var issueWait)) return new ReconcileOutcome.Requeue(issueWait);
                    await GatedAsync(observation, record, async () => { await IssueKeyAndInstallAsync(observation, record, issue, cancellationToken); return (string?)null; });
                    return new ReconcileOutcome.Requeue(options.CommandPollInterval);
                case Decision.InstallIssued:
                    if (!EnterRotation(observation, out var resumeWait)) return new ReconcileOutcome.Requeue(resumeWait);
                    await GatedAsync(observation, record, async () => { await InstallIssuedAsync(observation, record, cancellationToken); return (string?)null; });
                    return new ReconcileOutcome.Requeue(options.CommandPollInterval);
                case Decision.MarkApplied applied:
                    observation = await MarkAppliedAsync(observation, record, applied, cancellationToken);
                    continue;
                case Decision.MarkFailed failed:
                    await MarkFailedAsync(observation, record, failed, cancellationToken);
                    return new ReconcileOutcome.Retry(failed.Reason);
                case Decision.Revoke revoke:
                    await RevokeAsync(observation.InstanceId, revoke.Reason, revoke.Label, cancellationToken);
                    observation = Reobserve(observation, record);
                    continue;
                case Decision.MarkDisabled disabled:
                    await MarkDisabledAsync(observation, record, disabled.TagDeleted, cancellationToken);
                    return new ReconcileOutcome.Done(null);
                case Decision.Retire retire:
                    await RetireAsync(instanceId, retire.Why, cancellationToken);
                    return new ReconcileOutcome.Done(null);
                default:
                    throw new UnreachableException($"unhandled decision {decision.GetType().Name}");
            }
        }
        // Several marks in a row without an action: look again shortly rather than spin.
        return new ReconcileOutcome.Requeue(options.CommandPollInterval);
    }

    private async Task<Observation> ObserveAsync(string instanceId, InstanceRecord record, CancellationToken cancellationToken)
    {
        InstanceSnapshot? snapshot;
        lock (record) snapshot = record.SnapshotFresh ? record.Snapshot : null;
        if (snapshot is null)
        {
            var described = await ec2.DescribeAsync(instanceId, cancellationToken);
            if (described is null)
            {
                lock (record) record.Snapshot = null;
            }
            else
            {
                store.Observe(described);
                lock (record) snapshot = record.Snapshot;
            }
        }

        CommandSnapshot? command = record.Finished;
        if (command is null && record.Command is { } tracked)
        {
            command = await ReadCommandAsync(instanceId, tracked, cancellationToken);
            if (command.IsFinished) record.Finished = command;
        }

        var observation = new Observation
        {
            InstanceId = instanceId,
            Desired = desired.ToDesiredState(desired.Current.ConfigHash),
            Now = time.GetUtcNow(),
        };
        return WithRecord(observation, snapshot, command, record);
    }

    /// <summary>The tracked command's state from the watcher's last sweep; SSM is asked directly only for a finished command whose listed output is incomplete.</summary>
    private async Task<CommandSnapshot> ReadCommandAsync(string instanceId, TrackedCommand tracked, CancellationToken cancellationToken)
    {
        var seen = commands.Latest(instanceId, tracked.CommandId);
        var pending = new CommandSnapshot { CommandId = tracked.CommandId, Verbs = tracked.Verbs, SentAt = tracked.SentAt, SentConfigHash = tracked.ConfigHash, Status = seen?.Status ?? CommandStatus.Pending };
        if (seen is null)
        {
            // Never listed long after it could have run out (history lost, or another account's command id): treat it as timed out.
            return time.GetUtcNow() - tracked.SentAt > options.CommandTimeout + TimeSpan.FromMinutes(15) ? pending with { Status = CommandStatus.TimedOut } : pending;
        }
        if (!seen.IsFinished) return pending;
        if (seen.Status == CommandStatus.Success && seen.OutputComplete)
        {
            telemetry.RecordSsmCommand(tracked.CommandId, tracked.Verbs, seen.Status.ToString(), tracked.SentAt, time.GetUtcNow());
            return pending with { Results = AgentResult.ParseAll(seen.Output) };
        }
        return await ssm.FetchAsync(tracked, instanceId, cancellationToken);
    }

    private async Task<Observation> ObserveHostAsync(Observation observation, CancellationToken cancellationToken)
    {
        var online = ssm.IsAgentOnlineAsync(observation.InstanceId, cancellationToken);
        var policy = ConfigOf(observation).Policy;
        var problem = securityGroups.CheckAsync(observation.Instance!, policy.MeshNetworks, cancellationToken);
        var coverage = PolicyCoverage.Problem(policy, observation.Instance!.PrivateAddresses);
        return observation with { AgentOnline = await online, SecurityProblem = await problem, SecurityChecked = true, CoverageProblem = coverage is null ? null : StatusText.Clean(coverage) };
    }

    private Task SendAsync(Observation observation, InstanceRecord record, AgentRequest request, string status, string? appliedConfigHash, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? forget = null) =>
        SendAsync(observation, record, request, () => ssm.SendAsync(observation.InstanceId, request, cancellationToken), status, appliedConfigHash, cancellationToken, forget);

    /// <summary>A certificate install, batched with other hosts' installs of the same CA bundle and peers (one command for up to 50 hosts).</summary>
    private Task SendCertificateAsync(Observation observation, InstanceRecord record, string certificatePem, string status, string? appliedConfigHash, CancellationToken cancellationToken)
    {
        var shared = AgentRequests.InstallCertShared(ConfigOf(observation).Bundle, PeersForCertificate(observation));
        return SendAsync(observation, record, shared, () => ssm.SendCertificateAsync(observation.InstanceId, certificatePem, shared, cancellationToken), status, appliedConfigHash, cancellationToken);
    }

    private async Task SendAsync(Observation observation, InstanceRecord record, AgentRequest request, Func<Task<string>> send, string status, string? appliedConfigHash,
        CancellationToken cancellationToken, IReadOnlyCollection<string>? forget = null)
    {
        var sentAt = time.GetUtcNow();
        var commandId = await send();
        record.Command = new TrackedCommand(commandId, request.Verbs, sentAt, request.Parameters.GetValueOrDefault("configHash"));
        commands.Track(observation.InstanceId, record.Command);
        record.Finished = null;
        record.InstallingCertFromCsr = false;
        Log.CommandSent(logger, string.Join('+', request.Verbs), commandId);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [options.StatusTagKey] = StatusText.Clean(StatusText.WhileRetrying(observation, status)) };
        if (appliedConfigHash is not null) tags[options.ConfigTagKey] = appliedConfigHash;
        await WriteTagsAsync(observation, record, tags, forget ?? [], cancellationToken);
    }

    /// <summary>
    /// Whether this install may go now: one that replaces the host's certificate (the host has one)
    /// needs a slot of the rotation gate; while none is free the reconcile changes nothing (no tag)
    /// and looks again after <paramref name="retryAfter"/>. A first certificate is never held back.
    /// </summary>
    private bool EnterRotation(Observation observation, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (observation.InstalledCertExpiry is null || rotations.TryEnter(observation.InstanceId, out retryAfter)) return true;
        Log.RotationWaits(logger, retryAfter);
        return false;
    }

    /// <summary>Runs an install step that holds a rotation slot; the slot goes back when the step sent no certificate install.</summary>
    private async Task<string?> GatedAsync(Observation observation, InstanceRecord record, Func<Task<string?>> step)
    {
        var before = record.Command;
        var sent = false;
        try
        {
            var rejected = await step();
            sent = rejected is null && record.Command is { } now && !ReferenceEquals(now, before)
                && (now.Verbs.Contains(AgentVerbs.InstallCert) || now.Verbs.Contains(AgentVerbs.InstallP12));
            return rejected;
        }
        finally
        {
            if (!sent) rotations.Abandon(observation.InstanceId);
        }
    }

    /// <summary>The enrolled peers the host initiates to once its conns are loaded (none when <see cref="IpsecMeshOptions.LatePeerLimit"/> is 0).</summary>
    private IReadOnlyList<System.Net.IPAddress> PeersOf(Observation observation, MeshPolicy policy) =>
        LatePeers.For(policy, LatePeers.Known(store), options.TagKey, options.LatePeerLimit);

    /// <summary>Peers for a certificate install: only the first certificate loads the host's certificate conns.</summary>
    private IReadOnlyList<System.Net.IPAddress>? PeersForCertificate(Observation observation) =>
        observation.InstalledCertExpiry is null ? PeersOf(observation, ConfigOf(observation).Policy) : null;

    /// <summary>Returns null on success, or the reason the host's CSR was rejected (then reported as failed).</summary>
    private async Task<string?> SignAndInstallAsync(Observation observation, InstanceRecord record, Decision.SignAndInstall sign, CancellationToken cancellationToken)
    {
        IssuedCertificate issued;
        try
        {
            // A host's CSR is bounded before it is decoded (and the inspector bounds it again before any key math).
            CsrInspector.RequireBase64Length(sign.CsrBase64, observation.InstanceId);
            var csr = Convert.FromBase64String(sign.CsrBase64);
            issued = await authority.SignCsrAsync(csr, IdentityOf(observation.Instance!), sign.Reason, cancellationToken);
        }
        catch (Exception e) when (e is FormatException or CsrRejectedException)
        {
            // A bad CSR is the host's problem, reported on its tag; the next attempt asks for a new one.
            var reason = StatusText.Clean($"certificate request rejected: {(e is CsrRejectedException rejected ? rejected.Message : "the CSR is not valid base64")}");
            await MarkFailedAsync(observation, record, new Decision.MarkFailed(reason, false, "bad CSR"), cancellationToken);
            return reason;
        }
        Issued(issued, sign.Reason);
        await revocations.RevokeSupersededAsync(issued, cancellationToken);
        await SendCertificateAsync(observation, record, issued.CertificatePem, StatusText.InstallingCertificate, sign.AppliedConfigHash, cancellationToken);
        record.InstallingCertFromCsr = true;
        return null;
    }

    private async Task IssueKeyAndInstallAsync(Observation observation, InstanceRecord record, Decision.IssueKeyAndInstall issue, CancellationToken cancellationToken)
    {
        var package = await authority.IssueWithKeyAsync(IdentityOf(observation.Instance!), issue.Reason, cancellationToken);
        Issued(package.Certificate, issue.Reason);
        await revocations.RevokeSupersededAsync(package.Certificate, cancellationToken);
        await SendAsync(observation, record, AgentRequests.InstallP12(package, ConfigOf(observation).Bundle, PeersForCertificate(observation)), StatusText.InstallingCertificate, issue.AppliedConfigHash, cancellationToken);
    }

    private async Task InstallIssuedAsync(Observation observation, InstanceRecord record, CancellationToken cancellationToken)
    {
        var certificate = certificates.Get(observation.InstanceId) ?? throw new InvalidOperationException("no issued certificate to install");
        var pem = string.IsNullOrEmpty(certificate.CertificatePem) ? await registry.GetCertificatePemAsync(certificate, cancellationToken) : certificate.CertificatePem;
        // Also here: a crash between issuing and revoking what the new certificate superseded resumes through this step.
        await revocations.RevokeSupersededAsync(certificate, cancellationToken);
        await SendCertificateAsync(observation, record, pem, StatusText.InstallingCertificate, null, cancellationToken);
    }

    private void Issued(IssuedCertificate certificate, string reason)
    {
        certificates.Issued(certificate);
        // The PKI logs the issuance itself (serial, names, CA); here it is counted.
        telemetry.CertificatesIssued.Add(1, new TagList { { "reason", reason } });
    }

    private async Task<Observation> MarkAppliedAsync(Observation observation, InstanceRecord record, Decision.MarkApplied applied, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (applied.ConfigHash is not null) tags[options.ConfigTagKey] = applied.ConfigHash;
        if (applied.CertExpiry is { } expiry) tags[options.CertExpiryTagKey] = expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        if (applied.Enabled)
        {
            tags[options.TagKey] = TagValues.Enabled;
            tags[options.StatusTagKey] = StatusText.Enrolled;
            record.RetryNotBefore = null;
        }
        await WriteTagsAsync(observation, record, tags, applied.ForgetCertificate ? [options.CertExpiryTagKey] : [], cancellationToken);
        ConsumeFinished(record);
        if (applied.Enabled && observation.Intent != Intent.Enabled) Log.PhaseChanged(logger, TagValues.Enabled, StatusText.Enrolled);
        return Reobserve(observation, record);
    }

    /// <summary>What this host should run now (its roll-out wave decides), from the config it runs.</summary>
    private DesiredConfig ConfigOf(Observation observation) => desired.ConfigFor(observation.InstanceId, observation.AppliedConfigHash);

    private async Task MarkFailedAsync(Observation observation, InstanceRecord record, Decision.MarkFailed failed, CancellationToken cancellationToken)
    {
        // A host that could not apply the config being rolled out stops the roll-out where it is.
        if (observation.Command?.SentConfigHash is { } sent && sent == desired.TargetHash)
            await rollout.ReportFailureAsync(observation.InstanceId, StatusText.Clean(failed.Reason), cancellationToken);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [options.StatusTagKey] = StatusText.Clean(failed.Reason) };
        if (!failed.KeepIntent) tags[options.TagKey] = TagValues.Failed;
        await WriteTagsAsync(observation, record, tags, failed.ForgetConfig ? [options.ConfigTagKey] : [], cancellationToken);
        ConsumeFinished(record);
        Log.InstanceFailed(logger, failed.Reason);
    }

    /// <summary>Nothing of ours is on the host (its certificate was revoked before): the tags say so. A deleted main tag is not written back.</summary>
    private async Task MarkDisabledAsync(Observation observation, InstanceRecord record, bool tagDeleted, CancellationToken cancellationToken)
    {
        var tags = tagDeleted
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal) { [options.TagKey] = TagValues.Disabled, [options.StatusTagKey] = StatusText.Removed };
        IReadOnlyCollection<string> remove = tagDeleted
            ? [options.CertExpiryTagKey, options.ConfigTagKey, options.StatusTagKey]
            : [options.CertExpiryTagKey, options.ConfigTagKey];
        await WriteTagsAsync(observation, record, tags, remove, cancellationToken);
        ConsumeFinished(record);
        Log.PhaseChanged(logger, tagDeleted ? "untagged" : TagValues.Disabled, StatusText.Removed);
    }

    /// <summary>Revokes every live certificate of the instance (coalesced with other revocations into one CRL) and forgets it.</summary>
    private async Task RevokeAsync(string instanceId, string reason, string label, CancellationToken cancellationToken)
    {
        await revocations.RevokeAsync(instanceId, reason, cancellationToken);
        certificates.Revoked(instanceId);
        telemetry.CertificatesRevoked.Add(1, new TagList { { "reason", label } });
        Log.Revoked(logger, reason);
    }

    private async Task RetireAsync(string instanceId, string why, CancellationToken cancellationToken)
    {
        if (certificates.Get(instanceId) is not null) await RevokeAsync(instanceId, "instance terminated", "terminated", cancellationToken);
        store.Forget(instanceId);
        commands.Untrack(instanceId);
        rotations.Abandon(instanceId);
        Log.Retired(logger, why);
    }

    private async Task SetStatusAsync(Observation observation, InstanceRecord record, string status, CancellationToken cancellationToken)
    {
        var clean = StatusText.Clean(status);
        if (observation.StatusTag == clean) return;
        await WriteTagsAsync(observation, record, new Dictionary<string, string>(StringComparer.Ordinal) { [options.StatusTagKey] = clean }, [], cancellationToken);
    }

    /// <summary>Writes tags and applies them to the remembered snapshot, so the controller need not re-read its own writes.</summary>
    private async Task WriteTagsAsync(Observation observation, InstanceRecord record, Dictionary<string, string> tags, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
    {
        var current = observation.Instance?.Tags ?? new Dictionary<string, string>();
        var changed = tags.Where(t => !current.TryGetValue(t.Key, out var v) || v != t.Value).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        // Removals are not filtered by what we saw: a snapshot may predate the tag, and deleting an absent key is harmless.
        var removing = remove.ToList();
        var after = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (key, value) in changed) after[key] = value;
        foreach (var key in removing) after.Remove(key);
        seal.Apply(observation.InstanceId, after, options, changed, removing);
        if (changed.Count == 0 && removing.Count == 0) return;
        if (changed.ContainsKey(options.TagKey) && removing.Count > 0)
        {
            // EC2 deletes tags in a call of its own: the phase tag, which teams and a restarted controller read as the outcome,
            // changes only once the tags it retires are gone (never `disabled` beside a sealed CertExpiry, which would uninstall again).
            await ec2.SetTagsAsync(observation.InstanceId, new Dictionary<string, string>(), removing, cancellationToken);
            await ec2.SetTagsAsync(observation.InstanceId, changed, [], cancellationToken);
        }
        else await ec2.SetTagsAsync(observation.InstanceId, changed, removing, cancellationToken);
        lock (record)
        {
            if (record.Snapshot is null) return;
            var merged = new Dictionary<string, string>(record.Snapshot.Tags, StringComparer.Ordinal);
            foreach (var (key, value) in changed) merged[key] = value;
            foreach (var key in removing) merged.Remove(key);
            foreach (var (key, value) in changed) record.PendingEchoes[key] = value;
            foreach (var key in removing) record.PendingEchoes[key] = null;
            // Our write is the newest knowledge of these tags: a listing requested before it finished must not overwrite it.
            record.Snapshot = record.Snapshot with { Tags = merged, ObservedAt = time.GetUtcNow() };
        }
    }

    private Observation Reobserve(Observation observation, InstanceRecord record) =>
        WithRecord(observation, record.Snapshot ?? observation.Instance, record.Finished, record);

    /// <summary>The facts that come from the EC2 snapshot, the command and this process's record, in one place.</summary>
    private Observation WithRecord(Observation observation, InstanceSnapshot? snapshot, CommandSnapshot? command, InstanceRecord record)
    {
        var tagValue = snapshot?.Tag(options.TagKey);
        var sealedFacts = snapshot is null ? SealedFacts.None : seal.Read(snapshot, options);
        if (sealedFacts.Tampered) Log.TagsNotSealed(logger, options.ConfigTagKey, options.CertExpiryTagKey);
        return observation with
        {
            Desired = desired.ToDesiredState(desired.ConfigFor(observation.InstanceId, sealedFacts.ConfigHash).Hash),
            Instance = snapshot,
            TagValue = tagValue,
            Intent = TagValues.Parse(tagValue),
            IdentityNamesHash = snapshot is null ? null : IdentityOf(snapshot).NamesHash,
            AppliedConfigHash = sealedFacts.ConfigHash,
            InstalledCertExpiry = DateTimeOffset.TryParse(sealedFacts.CertExpiry, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) ? expiry : null,
            StatusTag = snapshot?.Tag(options.StatusTagKey),
            Command = command,
            InstallingCertFromCsr = record.InstallingCertFromCsr,
            Certificate = certificates.Facts(observation.InstanceId),
            RetryNotBefore = record.RetryNotBefore,
        };
    }

    /// <summary>A finished command has been acted on: forget it, so it is neither polled nor acted on again.</summary>
    private void ConsumeFinished(InstanceRecord record)
    {
        if (record.Finished is null) return;
        commands.Untrack(record.InstanceId);
        record.Finished = null;
        record.Command = null;
        record.InstallingCertFromCsr = false;
    }

    public static HostIdentity IdentityOf(InstanceSnapshot snapshot) =>
        new(snapshot.InstanceId, snapshot.InstanceArn, snapshot.PrivateDnsName, snapshot.PrivateDnsNames, snapshot.PrivateAddresses);
}
