namespace IpsecMesh.Simulator;

/// <summary>What a runtime knows about the command it runs and the world around it.</summary>
public sealed class CommandContext
{
    internal CommandContext(SimInstance instance, string commandId, string? comment, SimulatedKms kms, TimeProvider time, Func<int> enabledPeers)
    {
        Instance = instance;
        CommandId = commandId;
        Comment = comment;
        Kms = kms;
        Time = time;
        _enabledPeers = enabledPeers;
    }

    private readonly Func<int> _enabledPeers;

    public SimInstance Instance { get; }
    public string InstanceId => Instance.InstanceId;
    public string CommandId { get; }
    public string? Comment { get; }
    /// <summary>The host's own KMS access (decrypt with its instance id as encryption context).</summary>
    public SimulatedKms Kms { get; }
    public TimeProvider Time { get; }

    /// <summary>Other running virtual hosts with a certificate: the peers this host would have SAs with.</summary>
    public int EnabledPeerCount() => _enabledPeers();
}
