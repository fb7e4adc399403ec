namespace IpsecMesh.Integration.Tests.Simulate;

/// <summary>
/// How many instances share a SendCommand depends on how much the controller gets done within its batch window:
/// beside the suite's other controllers on two cores, batches shrank to 15 instances and SSM calls per instance rose
/// from 0.22 to 0.35. The call-budget test runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CallBudgetCollection
{
    public const string Name = "call budget";
}
