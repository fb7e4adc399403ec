using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Cli.Simulation;

/// <summary>The demo fleet: every instance tagged todo; some with secondary IPs or IPv6; some agents late; with chaos, some hosts fail.</summary>
public static class SimulatedFleet
{
    public static void Launch(SimulatedAws aws, SimulationSettings settings, string tagKey)
    {
        var random = new Random(settings.Seed);
        for (var i = 0; i < settings.Instances; i++)
        {
            var hostOptions = new VirtualHostOptions
            {
                Seed = settings.Seed * 7919 + i,
                FailureProbability = settings.Chaos ? 0.05 : 0,
            };
            aws.Fleet.Launch(InstanceSpec.Tagged(tagKey, "todo") with
            {
                SecondaryPrivateIpCount = i % 5 == 0 ? 1 : 0,
                Ipv6 = i % 7 == 0,
                AgentOnlineDelay = i % 10 == 3 ? TimeSpan.FromSeconds(30 + random.Next(90)) : TimeSpan.Zero,
                Runtime = new VirtualHost(hostOptions),
            });
        }
    }
}
