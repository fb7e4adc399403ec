using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.State;

/// <summary>What this controller process remembers about one instance between reconciles. All of it can be re-derived from AWS after a restart.</summary>
public sealed class InstanceRecord(string instanceId)
{
    public string InstanceId { get; } = instanceId;

    /// <summary>The last EC2 view; fresh until an event or our own uncertainty marks it stale.</summary>
    public InstanceSnapshot? Snapshot { get; set; }
    public bool SnapshotFresh { get; set; }
    /// <summary>The command we sent and have not finished acting on.</summary>
    public TrackedCommand? Command { get; set; }
    /// <summary>The command's final state once polled, kept until acted on so it is not fetched twice.</summary>
    public CommandSnapshot? Finished { get; set; }
    /// <summary>The command in flight installs a certificate signed from the CSR the host just sent.</summary>
    public bool InstallingCertFromCsr { get; set; }
    /// <summary>That CSR came from a renewal (csr alone, sent to an enrolled host), not from an install.</summary>
    public bool CsrFromRenewal { get; set; }
    /// <summary>The command in flight asks for a CSR and was sent while the tag said todo: its CSR is the todo's own, never a renewal's.</summary>
    public bool CsrSentInTodo { get; set; }
    public CommandSnapshot? LastHostStatus { get; set; }
    /// <summary>Tag values this controller wrote (null: removed) whose tag-change event has not come back yet.</summary>
    public Dictionary<string, string?> PendingEchoes { get; } = new(StringComparer.Ordinal);
}
