namespace IpsecMesh.Simulator;

/// <summary>EC2 instance states, with their wire names and codes.</summary>
public enum InstanceState
{
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    Stopping,
    Stopped,
}
