using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Simulator;

/// <summary>How a virtual host behaves: simulated time each verb takes, and random failures.</summary>
public sealed record VirtualHostOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>Simulated duration of each verb; verbs not listed take <see cref="DefaultLatency"/>.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Latency { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        [AgentVerbs.Install] = TimeSpan.FromSeconds(20),
        [AgentVerbs.Csr] = TimeSpan.FromSeconds(2),
        [AgentVerbs.InstallCert] = TimeSpan.FromSeconds(3),
        [AgentVerbs.InstallP12] = TimeSpan.FromSeconds(3),
        [AgentVerbs.ApplyConfig] = TimeSpan.FromSeconds(2),
        [AgentVerbs.Status] = TimeSpan.FromSeconds(1),
        [AgentVerbs.Uninstall] = TimeSpan.FromSeconds(5),
    };

    public TimeSpan DefaultLatency { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Chance that any one verb fails with that verb's usual failure code.</summary>
    public double FailureProbability { get; init; }

    public string LibreswanVersion { get; init; } = "5.2";

    /// <summary>No latency at all: every verb completes at once (handy with a fake clock).</summary>
    public static VirtualHostOptions Instant { get; } = new() { Latency = new Dictionary<string, TimeSpan>(), DefaultLatency = TimeSpan.Zero };
}
