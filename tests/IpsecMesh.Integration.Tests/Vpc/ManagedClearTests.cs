using System.Net;
using IpsecMesh.Core.Desired;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Integration.Tests.Vpc;

/// <summary>Managed-service interfaces of the mesh's VPC reach every host's clear group, coalesced over a window.</summary>
public class ManagedClearTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Managed_service_addresses_reach_the_hosts_clear_group_and_mesh_hosts_never_do()
    {
        await using var mesh = new MeshFixture();
        var nlb = mesh.Aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
        var rds = mesh.Aws.Fleet.AddManagedInterface("interface", "RDSNetworkInterface");
        var instances = new[] { mesh.Launch(), mesh.Launch() };
        var controller = await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        var desired = controller.Services.GetRequiredService<DesiredStateProvider>();
        await mesh.WaitForAsync(() => instances.All(i => Host(i).State.ConfigHash == desired.Current.ConfigHash
            && desired.Current.Policy.Generated.ContainsKey(PolicyGroups.Clear)), "every host on the config with the generated clear group");

        var clear = desired.Current.Policy.Generated[PolicyGroups.Clear];
        Assert.Equal(new[] { nlb.PrivateIpAddress, rds.PrivateIpAddress }.Select(a => a + "/32").Order().ToArray(), clear.Select(n => n.ToString()).Order().ToArray());
        Assert.DoesNotContain(clear, n => instances.Any(i => i.AllPrivateIps.Contains(n.BaseAddress.ToString())));
        Assert.All(instances, i => Assert.Equal("enabled", i.Tag(MeshFixture.TagKey)));
    }

    [Fact]
    public async Task A_churning_load_balancer_rolls_out_at_most_once_per_window()
    {
        // Resync every minute, window 5 minutes: without coalescing, each resync would start a roll-out.
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:ResyncInterval"] = "00:01:00",
            ["IpsecMesh:ConfigPollInterval"] = "00:01:00",
            ["IpsecMesh:ManagedClearWindow"] = "00:05:00",
            ["IpsecMesh:RolloutWaves"] = "1,100%",
            ["IpsecMesh:RolloutWaveSoak"] = "00:00:30",
        });
        mesh.Aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
        var instances = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        var started = mesh.Time.GetUtcNow();
        var rolloutsBefore = Rollouts(mesh);
        var span = TimeSpan.FromMinutes(30);
        SimManagedInterface? extra = null;
        var changes = 0;
        while (mesh.Time.GetUtcNow() - started < span)
        {
            // The load balancer scales out and in every 40 s of simulated time.
            if (extra is null) extra = mesh.Aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
            else
            {
                mesh.Aws.Fleet.RemoveManagedInterface(extra.NetworkInterfaceId);
                extra = null;
            }
            changes++;
            await Task.Delay(TimeSpan.FromSeconds(40), mesh.Time, Token);
        }

        var rollouts = Rollouts(mesh) - rolloutsBefore;
        var perHour = rollouts * (TimeSpan.FromHours(1) / span);
        output.WriteLine($"managed-interface churn: {changes} changes in {span.TotalMinutes} simulated minutes; {rollouts} roll-outs started ({perHour:F0} per hour, bound 12 at a 5-minute window)");
        Assert.InRange(rollouts, 1, (int)(span / TimeSpan.FromMinutes(5)) + 1);
        Assert.All(instances, i => Assert.Equal("enabled", i.Tag(MeshFixture.TagKey)));
    }

    [Fact]
    public async Task A_restarted_controller_keeps_the_generated_group_without_a_rollout()
    {
        await using var mesh = new MeshFixture();
        mesh.Aws.Fleet.AddManagedInterface("natGateway", "Interface for NAT Gateway nat-0a1b2c3d4e5f60718");
        var instances = new[] { mesh.Launch(), mesh.Launch() };
        var first = await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var applied = instances[0].Tag("IPSec:Config");
        Assert.True(first.Services.GetRequiredService<DesiredStateProvider>().Current.Policy.Generated.ContainsKey(PolicyGroups.Clear));
        await MeshFixture.StopAsync(first);
        var rolloutsBefore = Rollouts(mesh);

        var second = await mesh.StartControllerAsync(Token);
        await mesh.WaitForAsync(() => second.Services.GetRequiredService<DesiredStateProvider>().IsLoaded, "the restarted controller's desired state");
        await Task.Delay(TimeSpan.FromMinutes(3), mesh.Time, Token);

        Assert.Equal(applied, second.Services.GetRequiredService<DesiredStateProvider>().Current.ConfigHash);
        Assert.Equal(rolloutsBefore, Rollouts(mesh));
        Assert.All(instances, i => Assert.Equal(applied, i.Tag("IPSec:Config")));
    }

    private static int Rollouts(MeshFixture mesh) => mesh.Logs.Count(l => l.Contains("Config roll-out of", StringComparison.Ordinal) && l.Contains(" started ", StringComparison.Ordinal));

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
