using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.EndToEnd.Scenarios;
using IpsecMesh.Simulator;

namespace IpsecMesh.EndToEnd;

/// <summary>The suite's starting policy and controller settings.</summary>
public static class SuitePolicy
{
    /// <summary>Every host's /30 private, the VPC resolver clear; the repository's conn template otherwise.</summary>
    public static MeshPolicy Initial(string policyDirectory, IReadOnlyList<GuestHost> hosts) =>
        MeshPolicy.FromRepository(policyDirectory,
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["private"] = hosts.Select(ScenarioContext.CidrOf).ToArray(),
                ["clear"] = ["10.99.0.2/32"],
            },
            // UML on a shared 2-core machine answers IKE_AUTH seconds late under load; 3 s gives up too soon.
            template => template.Replace("retransmit-timeout=3s", "retransmit-timeout=20s", StringComparison.Ordinal));

    /// <summary>
    /// Short certificate lifetimes so scenario c rotates in real time; fast resync, config, command
    /// and host status polling; no health endpoint (the driver reads the controller in process).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ControllerSettings(SimulatedAws aws) => new Dictionary<string, string?>
    {
        ["IpsecMesh:QueueUrl"] = aws.QueueUrl,
        ["IpsecMesh:Bucket"] = aws.BucketName,
        ["IpsecMesh:CaKmsKeyId"] = aws.CaKeyId,
        ["IpsecMesh:Region"] = aws.Region,
        ["IpsecMesh:CertificateLifetime"] = "00:10:00",
        ["IpsecMesh:RenewAfter"] = "00:02:00",
        ["IpsecMesh:ResyncInterval"] = "00:00:30",
        ["IpsecMesh:ConfigPollInterval"] = "00:00:05",
        ["IpsecMesh:CommandPollInterval"] = "00:00:01",
        ["IpsecMesh:AgentWaitInterval"] = "00:00:05",
        ["IpsecMesh:BackoffBase"] = "00:00:05",
        ["IpsecMesh:BackoffCap"] = "00:00:30",
        ["IpsecMesh:HostStatusInterval"] = "00:00:10",
        ["IpsecMesh:HealthPort"] = "0",
    };
}
