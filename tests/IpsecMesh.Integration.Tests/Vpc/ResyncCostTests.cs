using IpsecMesh.Integration.Tests.Support;

namespace IpsecMesh.Integration.Tests.Vpc;

/// <summary>What one resync of a converged fleet costs: one DescribeInstances page, one DescribeNetworkInterfaces page per 1,000 interfaces, one DescribeVpcs.</summary>
public class ResyncCostTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Apis = ["ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups"];

    [Fact]
    public async Task A_resync_of_a_converged_fleet_costs_one_page_of_each()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:ResyncInterval"] = "00:02:00" });
        for (var i = 0; i < 3; i++) mesh.Aws.Fleet.AddManagedInterface("vpc_endpoint", "VPC Endpoint Interface vpce-0abc");
        var instances = Enumerable.Range(0, 5).Select(_ => mesh.Launch()).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        // Past the first roll-out of the generated group: wait for two further scans.
        var scans = Scans(mesh);
        await mesh.WaitForAsync(() => Scans(mesh) >= scans + 2, "two more resyncs", TimeSpan.FromSeconds(30));

        var before = Apis.ToDictionary(a => a, mesh.Calls);
        var scansBefore = Scans(mesh);
        await mesh.WaitForAsync(() => Scans(mesh) >= scansBefore + 3, "three resyncs", TimeSpan.FromSeconds(30));
        var resyncs = Scans(mesh) - scansBefore;
        var perResync = Apis.ToDictionary(a => a, a => (mesh.Calls(a) - before[a]) / (double)resyncs);

        output.WriteLine($"per resync of {instances.Length} instances and 3 managed interfaces: " + string.Join(", ", perResync.Select(p => $"{p.Key} {p.Value:F2}")));
        Assert.Equal(1.0, perResync["ec2:DescribeInstances"], 0.34);
        Assert.Equal(1.0, perResync["ec2:DescribeNetworkInterfaces"], 0.34);
        Assert.Equal(1.0, perResync["ec2:DescribeVpcs"], 0.34);
        Assert.True(perResync["ec2:DescribeNetworkAcls"] <= 1.0, $"DescribeNetworkAcls {perResync["ec2:DescribeNetworkAcls"]} per resync");
    }

    private static int Scans(MeshFixture mesh) => mesh.Logs.Count(l => l.Contains("VPC scan:", StringComparison.Ordinal));
}
