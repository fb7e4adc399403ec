namespace IpsecMesh.Simulator;

public static class InstanceStateNames
{
    public static string WireName(this InstanceState state) => state switch
    {
        InstanceState.Pending => "pending",
        InstanceState.Running => "running",
        InstanceState.ShuttingDown => "shutting-down",
        InstanceState.Terminated => "terminated",
        InstanceState.Stopping => "stopping",
        InstanceState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static int Code(this InstanceState state) => state switch
    {
        InstanceState.Pending => 0,
        InstanceState.Running => 16,
        InstanceState.ShuttingDown => 32,
        InstanceState.Terminated => 48,
        InstanceState.Stopping => 64,
        InstanceState.Stopped => 80,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The state with this wire name ("running").</summary>
    public static InstanceState Parse(string wireName) =>
        Enum.GetValues<InstanceState>().FirstOrDefault(s => s.WireName() == wireName) is var state && state.WireName() == wireName
            ? state : throw new ArgumentException($"'{wireName}' is not an instance state", nameof(wireName));
}
