using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.EndToEnd.Scenarios;
using IpsecMesh.Simulator;

namespace IpsecMesh.EndToEnd;

/// <summary>The suite's starting policy and controller settings.</summary>
public static class SuitePolicy
{
    /// <summary>
    /// How long a pair may take to heal from a failure shunt: the suite's shuntlifetime (1m),
    /// pluto's 20 s expiry check, and a negotiation on a slow guest.
    /// </summary>
    public static readonly TimeSpan ShuntHealTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Once a host is enabled every enrolled peer reaches it over ESP within this, even one that tried it before.</summary>
    public static readonly TimeSpan LatePeerTarget = TimeSpan.FromSeconds(10);

    /// <summary>Every host's /30 private, the VPC resolver clear; the repository's conn template otherwise.</summary>
    public static MeshPolicy Initial(string policyDirectory, IReadOnlyList<GuestHost> hosts) =>
        MeshPolicy.FromRepository(policyDirectory,
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["private"] = hosts.Select(ScenarioContext.CidrOf).ToArray(),
                ["clear"] = ["10.99.0.2/32"],
            },
            template => template
                // UML on a shared 2-core machine answers IKE_AUTH seconds late under load; 3 s gives up too soon.
                .ReplaceExactly("retransmit-timeout=3s", "retransmit-timeout=20s")
                // A host that pings a peer before the peer enrols keeps a failure shunt this long: one
                // minute keeps the suite short (the shipped policy says 5m).
                .ReplaceExactly("shuntlifetime=5m", "shuntlifetime=1m"));

    private static string ReplaceExactly(this string template, string setting, string replacement) =>
        template.Contains(setting, StringComparison.Ordinal)
            ? template.Replace(setting, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"the conn template no longer says '{setting}'; update {nameof(SuitePolicy)}");

    /// <summary>How long the suite's host certificates are valid.</summary>
    public static readonly TimeSpan CertificateLifetime = TimeSpan.FromDays(1);

    /// <summary>
    /// Certificates live a day and renew after the pace's <see cref="RenewalPace.RenewAfter"/>.
    /// Fast resync, config, command and host status polling; no health endpoint (the driver reads
    /// the controller in process).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ControllerSettings(SimulatedAws aws, RenewalPace pace) => new Dictionary<string, string?>
    {
        ["IpsecMesh:QueueUrl"] = aws.QueueUrl,
        ["IpsecMesh:Bucket"] = aws.BucketName,
        ["IpsecMesh:CaKmsKeyId"] = aws.CaKeyId,
        ["IpsecMesh:Region"] = aws.Region,
        ["IpsecMesh:CertificateLifetime"] = CertificateLifetime.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["IpsecMesh:RenewAfter"] = pace.RenewAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["IpsecMesh:ResyncInterval"] = "00:00:30",
        ["IpsecMesh:ConfigPollInterval"] = "00:00:05",
        ["IpsecMesh:CommandPollInterval"] = "00:00:01",
        ["IpsecMesh:AgentWaitInterval"] = "00:00:05",
        ["IpsecMesh:BackoffBase"] = "00:00:05",
        ["IpsecMesh:BackoffCap"] = "00:00:30",
        // A status run takes 20-60 s in UML on a loaded machine and queues on the agent's lock.
        ["IpsecMesh:HostStatusInterval"] = "00:01:00",
        // A canary, then the other hosts once it has run the new config for 10 s.
        ["IpsecMesh:RolloutWaves"] = "1,100%",
        ["IpsecMesh:RolloutWaveSoak"] = "00:00:10",
        // Managed-service interfaces (the managed-peer scenario) reach the policy within a resync or two.
        ["IpsecMesh:ManagedClearWindow"] = "00:00:30",
        ["IpsecMesh:HealthPort"] = "0",
        // Scenario k: a rotated-out CA stays in the bundle 2 minutes (30 days shipped), and leaves 1 minute after its
        // certificates were revoked at the earliest (time for that CRL to reach every host).
        ["IpsecMesh:RotationOverlap"] = "00:02:00",
        ["IpsecMesh:CaRetirementGrace"] = "00:01:00",
    };
}
