namespace IpsecMesh.Simulator.State;

/// <summary>
/// The whole simulated account as `simulate --serve --state DIR` keeps it between runs (DIR/account.json): the fleet with
/// its virtual hosts (keys included, as a host's NSS database keeps them), S3, KMS (key material included), SQS with its
/// messages, EventBridge rules. SSM's command history is not kept: a command in flight at the stop is lost, as on a host
/// that rebooted mid-command. Plain JSON with secrets in it: the state of a simulator, never of an AWS account.
/// </summary>
internal sealed record AccountState
{
    public const int CurrentVersion = 1;
    public int Version { get; init; } = CurrentVersion;
    /// <summary>How many times this account was loaded: it offsets the seed so that new ids never repeat old ones.</summary>
    public int Generation { get; init; }
    public required int Seed { get; init; }
    public required string Region { get; init; }
    public required string AccountId { get; init; }
    public required string QueueName { get; init; }
    public required string DeadLetterQueueName { get; init; }
    public required string BucketName { get; init; }
    public required string CaKeyId { get; init; }
    public required string HostKeyId { get; init; }
    public required FleetState Fleet { get; init; }
    public required IReadOnlyList<BucketState> Buckets { get; init; }
    public required KmsState Kms { get; init; }
    public required IReadOnlyList<QueueState> Queues { get; init; }
    public required IReadOnlyList<RuleState> Rules { get; init; }
}

internal sealed record FleetState(
    string DefaultVpcId,
    IReadOnlyList<SimVpc> Vpcs,
    IReadOnlyList<SecurityGroupState> Groups,
    IReadOnlyDictionary<string, uint> NextAddress,
    IReadOnlyDictionary<string, uint> NextIpv6,
    IReadOnlyList<InstanceRecord> Instances)
{
    /// <summary>Managed-service interfaces (absent in states saved before they were modelled).</summary>
    public IReadOnlyList<SimManagedInterface>? ManagedInterfaces { get; init; }

    /// <summary>Network ACLs (absent in older states: each VPC then gets its default ACL).</summary>
    public IReadOnlyList<SimNetworkAcl>? NetworkAcls { get; init; }
}

internal sealed record SecurityGroupState(string GroupId, string GroupName, string Description, string VpcId, string OwnerId, IReadOnlyList<IngressRuleState> Ingress)
{
    /// <summary>Null: AWS's default egress (absent in older states).</summary>
    public IReadOnlyList<IngressRuleState>? Egress { get; init; }
}

internal sealed record IngressRuleState(string Protocol, int? FromPort, int? ToPort, IReadOnlyList<string> Cidrs, IReadOnlyList<string> Ipv6Cidrs, IReadOnlyList<string> SourceGroupIds);

/// <summary>One instance and its virtual host.</summary>
internal sealed record InstanceRecord(
    string InstanceId,
    string ReservationId,
    int LaunchIndex,
    string InstanceType,
    string ImageId,
    string VpcId,
    DateTimeOffset LaunchTime,
    string State,
    DateTimeOffset? AgentOnlineAt,
    bool AgentEverOnline,
    int TagVersion,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<InterfaceState> Interfaces,
    IReadOnlyList<string> GroupIds,
    HostState? Host);

internal sealed record InterfaceState(string NetworkInterfaceId, int DeviceIndex, string SubnetId, string VpcId, string MacAddress, IReadOnlyList<string> PrivateIps, IReadOnlyList<string> Ipv6s);

/// <summary>A virtual host: what its NSS database, config and libreswan hold (keys as PKCS#8).</summary>
internal sealed record HostState(
    int Seed,
    double FailureProbability,
    bool Installed,
    bool Running,
    string? ConfigHash,
    KeyState? PendingKey,
    KeyState? CurrentKey,
    string? CertificatePem,
    string? CaBundlePem,
    IReadOnlyDictionary<string, byte[]> Crls,
    string? CertSerial,
    DateTimeOffset? CertNotAfter,
    bool NssDamaged,
    string LibreswanVersion,
    IReadOnlyDictionary<string, int> VerbCounts,
    int CommandsRun);

/// <summary>A private key: "ec" or "rsa", PKCS#8 DER.</summary>
internal sealed record KeyState(string Type, byte[] Pkcs8);

internal sealed record BucketState(string Name, DateTimeOffset Created, IReadOnlyList<ObjectState> Objects, IReadOnlyDictionary<string, string> Settings);

internal sealed record ObjectState(string Key, byte[] Body, string ETag, DateTimeOffset LastModified, string ContentType, IReadOnlyDictionary<string, string> Metadata);

internal sealed record KmsState(IReadOnlyList<KmsKeyState> Keys, IReadOnlyDictionary<string, string> Aliases);

internal sealed record KmsKeyState(string KeyId, string Arn, string KeySpec, string KeyUsage, DateTimeOffset CreationDate, string Description, bool InstanceBound,
    byte[]? Symmetric, byte[]? PrivateKeyPkcs8);

internal sealed record QueueState(string Name, string Arn, int VisibilityTimeoutSeconds, string? DeadLetterQueue, int MaxReceiveCount,
    IReadOnlyDictionary<string, string> OtherAttributes, IReadOnlyList<MessageState> Messages);

internal sealed record MessageState(string MessageId, string Body, string Md5OfBody, string? MessageAttributesJson, DateTimeOffset SentAt, DateTimeOffset VisibleAt,
    int ReceiveCount, DateTimeOffset? FirstReceivedAt, string? ReceiptHandle);

internal sealed record RuleState(string Name, string Pattern, string State, string Description, IReadOnlyDictionary<string, string> Targets);
