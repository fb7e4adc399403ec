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
    /// <summary>What the instance metadata service would tell the host (identity document, partition).</summary>
    public InstanceMetadata Metadata => Instance.Metadata;
    public string CommandId { get; }
    public string? Comment { get; }
    /// <summary>The simulated KMS. A host decrypts through <see cref="DecryptAsThisInstance"/>, under its role's policy.</summary>
    public SimulatedKms Kms { get; }
    public TimeProvider Time { get; }

    /// <summary>
    /// KMS Decrypt called with this instance's role credentials: the host key's policy applies, with this
    /// instance's ARN as <c>ec2:SourceInstanceARN</c> (see <see cref="SimulatedKms.DecryptAsInstance"/>).
    /// </summary>
    public byte[] DecryptAsThisInstance(byte[] ciphertext, IReadOnlyDictionary<string, string> encryptionContext) =>
        Kms.DecryptAsInstance(ciphertext, encryptionContext, Instance.Arn);

    /// <summary>Other running virtual hosts with a certificate: the peers this host would have SAs with.</summary>
    public int EnabledPeerCount() => _enabledPeers();
}
