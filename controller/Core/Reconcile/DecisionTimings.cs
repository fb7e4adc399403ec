namespace IpsecMesh.Core.Reconcile;

/// <summary>How long the decision asks to wait in the situations that poll.</summary>
public sealed record DecisionTimings(TimeSpan CommandPoll, TimeSpan AgentWait);
