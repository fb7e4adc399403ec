namespace IpsecMesh.Core.Reconcile;

/// <summary>What the work queue does with a key after a reconcile. One meaning per kind.</summary>
public abstract record ReconcileOutcome(string Result)
{
    /// <summary>Converged or nothing to do; forget the key's backoff; look again after <paramref name="After"/> if set.</summary>
    public sealed record Done(TimeSpan? After) : ReconcileOutcome("ok");

    /// <summary>Progressing (a command runs, an agent is awaited): look again after <paramref name="After"/>, backoff untouched.</summary>
    public sealed record Requeue(TimeSpan After) : ReconcileOutcome("requeue");

    /// <summary>A failure that may pass: retry with the key's exponential backoff.</summary>
    public sealed record Retry(string Reason) : ReconcileOutcome("error");

    /// <summary>A failure retrying cannot fix until something changes (an event or resync brings the key back).</summary>
    public sealed record Terminal(string Reason) : ReconcileOutcome("terminal");
}
