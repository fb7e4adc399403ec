using IpsecMesh.Pki;

namespace IpsecMesh.Core.Options;

/// <summary>The controller's settings (configuration section <c>IpsecMesh</c>), immutable once validated.</summary>
public sealed record IpsecMeshOptions
{
    public const string Section = "IpsecMesh";

    public string TagKey { get; init; } = "IPSec";
    public string? Region { get; init; }
    public string? VpcId { get; init; }
    public string? QueueUrl { get; init; }
    public string? Bucket { get; init; }
    public string? CaKmsKeyId { get; init; }
    public string? HostKmsKeyId { get; init; }
    /// <summary>
    /// The agent's SSM document; null for the one this build names (<c>ipsec-mesh-agent-&lt;hash&gt;</c>,
    /// <c>AgentDocument.Name</c>), which the stack creates. An override names another document with
    /// the same content (tests); its content is checked at start all the same.
    /// </summary>
    public string? SsmDocument { get; init; }
    /// <summary>
    /// The bucket's KMS key (ARN): every object the controller writes names it (SSE-KMS), which the
    /// stack's bucket policy requires; null leaves encryption to the bucket default (LocalStack).
    /// </summary>
    public string? BucketKmsKeyId { get; init; }
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan ConfigPollInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Concurrent reconciles. They mostly wait on AWS (and on batch windows), so many are cheap.</summary>
    public int Workers { get; init; } = 64;
    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan RenewAfter { get; init; } = TimeSpan.FromDays(7);
    public EnrolmentMode EnrolmentMode { get; init; } = EnrolmentMode.HostKey;
    public string HostKeyType { get; init; } = "ec";
    public int HealthPort { get; init; } = 8080;
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How often the commands that Run Command's status-change events reported ended have their invocations read (one paged ListCommandInvocations each).</summary>
    public TimeSpan CommandPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The level-triggered safety net under those events: how often every command still in flight is listed
    /// (one paginated ListCommandInvocations over the recent window), for events lost or never routed (a stack
    /// without the command-status rule, LocalStack). At least <see cref="CommandPollInterval"/>.
    /// </summary>
    public TimeSpan CommandSweepInterval { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan AgentWaitInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan HostStatusInterval { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary><see cref="HostMetricsModes.PerInstance"/> or <see cref="HostMetricsModes.Aggregated"/> (bounds metric cardinality).</summary>
    public string HostMetrics { get; init; } = HostMetricsModes.PerInstance;
    public TimeSpan CaTrustPropagation { get; init; } = TimeSpan.FromHours(1);
    /// <summary>How long calls that AWS lets us batch wait for company before they go out.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(200);
    public LeaderElectionOptions LeaderElection { get; init; } = new();
    /// <summary>
    /// How a new config (policy, template, trust bundle) reaches the enrolled fleet: cumulative wave
    /// sizes, each a host count or a percentage of the enabled hosts, the first being the canaries,
    /// the last 100%. A failure in a wave stops the roll-out; CRL-only changes go to every host at once.
    /// </summary>
    public string RolloutWaves { get; init; } = "1,5%,25%,100%";
    /// <summary>How long a wave's hosts run the new config before the next wave starts.</summary>
    public TimeSpan RolloutWaveSoak { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How long a wave waits for hosts that neither apply nor fail (agent offline, stopped) before going on without them.</summary>
    public TimeSpan RolloutWaveTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>
    /// How many certificate installs that replace a certificate a host already has (a renewal, an
    /// address change, a CA re-issue) run at once in the fleet. On libreswan 4.x two hosts switching
    /// certificates at the same moment can leave their pair dark until a failure shunt expires.
    /// First enrolments are not counted.
    /// </summary>
    public int RotationConcurrency { get; init; } = 1;
    /// <summary>How long a replacing install keeps its slot after its command finished: the peers' renegotiations settle.</summary>
    public TimeSpan RotationSettle { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// At most this many enrolled peers a host initiates to once its conns are loaded (install, a
    /// config change, its first certificate), so that none keeps a failure shunt from trying the
    /// host before; 0 turns it off. Beyond it, such a peer reaches the host once its shunt expires
    /// (shuntlifetime).
    /// </summary>
    public int LatePeerLimit { get; init; } = 200;

    /// <summary>
    /// Keep the addresses of managed-service interfaces in the mesh's VPCs (requester-managed, or of an AWS
    /// service's interface type: load balancers, NAT gateways, VPC endpoints, Lambda, …) in a generated
    /// <c>clear</c> group, read at each resync with DescribeNetworkInterfaces. False turns it off.
    /// </summary>
    public bool ManagedClear { get; init; } = true;
    /// <summary>Changes to the generated entries (managed interfaces, VPC ranges) are published at most once per window: a churning load balancer causes at most one roll-out a window.</summary>
    public TimeSpan ManagedClearWindow { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Comma-separated interface ids (<c>eni-…</c>) and CIDRs never put into the generated clear group (pinned
    /// exceptions: e.g. a managed peer that must stay under the policy's own group). An address an operator
    /// lists in any policy file is never generated either.
    /// </summary>
    public string ManagedClearExceptions { get; init; } = "";
    /// <summary>
    /// "private-or-clear" or "private": add the CIDR blocks (IPv4 and IPv6) of the mesh's VPCs (DescribeVpcs) to that
    /// group, and each VPC IPv4 block's resolver (base + 2) to clear; empty (the default) leaves the groups as written.
    /// </summary>
    public string VpcRangesGroup { get; init; } = "";

    /// <summary>The controller-owned tag keys, derived from <see cref="TagKey"/>.</summary>
    public string StatusTagKey => TagKey + ":Status";
    public string CertExpiryTagKey => TagKey + ":CertExpiry";
    public string ConfigTagKey => TagKey + ":Config";
}
