using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.Pki;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Turns what is known of an instance (its EC2 snapshot, its command, this process's record, the certificate cache)
/// into an <see cref="Observation"/>. Reads only memory, never AWS. The applied config and the installed certificate come
/// from the <see cref="HostFactsStore"/>, never from the tags that show them.
/// </summary>
public sealed class ObservationBuilder(
    DesiredStateProvider desired,
    CertificateCache certificates,
    HostFactsStore facts,
    IpsecMeshOptions options,
    TimeProvider time,
    ILogger<ObservationBuilder> logger)
{
    /// <summary>A fresh observation of <paramref name="instanceId"/> at the current time; throws while the desired state is not loaded.</summary>
    public Observation Build(string instanceId, InstanceSnapshot? snapshot, CommandSnapshot? command, InstanceRecord record)
    {
        var observation = new Observation
        {
            InstanceId = instanceId,
            Desired = desired.ToDesiredState(desired.Current.ConfigHash),
            Now = time.GetUtcNow(),
        };
        return With(observation, snapshot, command, record);
    }

    /// <summary>The observation after this reconcile's own writes: the record's snapshot and finished command, same <see cref="Observation.Now"/>.</summary>
    public Observation Reobserve(Observation observation, InstanceRecord record) =>
        With(observation, record.Snapshot ?? observation.Instance, record.Finished, record);

    /// <summary>The facts that come from the EC2 snapshot, the command and this process's record, in one place.</summary>
    private Observation With(Observation observation, InstanceSnapshot? snapshot, CommandSnapshot? command, InstanceRecord record)
    {
        var tagValue = snapshot?.Tag(options.TagKey);
        var known = facts.Get(observation.InstanceId);
        var otherFacts = snapshot is not null && ShowsOtherFacts(snapshot, known);
        if (otherFacts) ReconcileLog.TagsShowOtherFacts(logger, options.ConfigTagKey, options.CertExpiryTagKey);
        return observation with
        {
            Desired = desired.ToDesiredState(desired.ConfigFor(observation.InstanceId, known.ConfigHash).Hash),
            Instance = snapshot,
            TagValue = tagValue,
            Phase = TagValues.Parse(tagValue),
            IdentityNamesHash = snapshot is null ? null : IdentityOf(snapshot).NamesHash,
            AppliedConfigHash = known.ConfigHash,
            TagsShowOtherFacts = otherFacts,
            InstalledCertExpiry = known.CertExpiry,
            StatusTag = snapshot?.Tag(options.StatusTagKey),
            Command = command,
            InstallingCertFromCsr = record.InstallingCertFromCsr,
            CsrFromRenewal = record.CsrFromRenewal,
            Certificate = certificates.Facts(observation.InstanceId),
        };
    }

    /// <summary>Whether the display tags show other facts than the controller's (someone wrote them, or the facts were lost).</summary>
    private bool ShowsOtherFacts(InstanceSnapshot snapshot, HostFacts known) =>
        snapshot.Tag(options.ConfigTagKey) != known.ConfigHash
        || snapshot.Tag(options.CertExpiryTagKey) != (known.CertExpiry is { } expiry ? HostFacts.ExpiryTag(expiry) : null);

    /// <summary>The identity a certificate for this instance carries: names and addresses from EC2 only.</summary>
    public static HostIdentity IdentityOf(InstanceSnapshot snapshot) =>
        new(snapshot.InstanceId, snapshot.InstanceArn, snapshot.PrivateDnsName, snapshot.PrivateDnsNames, snapshot.PrivateAddresses);
}
