using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Reconcile;

/// <summary>What one dispatched decision leaves: either the observation to decide on again, or the reconcile's outcome.</summary>
public readonly record struct ReconcileStep
{
    /// <summary>Set when the reconcile decides again on this observation (a mark or a look changed what is known).</summary>
    public Observation? Next { get; private init; }
    /// <summary>Set when the reconcile ends here.</summary>
    public ReconcileOutcome? Outcome { get; private init; }

    public static ReconcileStep Continue(Observation next) => new() { Next = next };
    public static ReconcileStep End(ReconcileOutcome outcome) => new() { Outcome = outcome };
}
