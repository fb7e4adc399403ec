using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Simulation;

/// <summary>
/// The demo fleet: every instance tagged todo; some with secondary IPs or IPv6; some agents late; with chaos, some hosts fail;
/// and the managed-service interfaces a VPC usually has (a load balancer's nodes, a NAT gateway, an endpoint, RDS, EFS), which the
/// controller keeps in clear.
/// </summary>
public static class SimulatedFleet
{
    public static void Launch(SimulatedAws aws, SimulationSettings settings, string tagKey)
    {
        aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
        aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
        aws.Fleet.AddManagedInterface("natGateway", "Interface for NAT Gateway nat-0a1b2c3d4e5f60718");
        aws.Fleet.AddManagedInterface("vpc_endpoint", "VPC Endpoint Interface vpce-0a1b2c3d4e5f60718", requesterManaged: true);
        aws.Fleet.AddManagedInterface("interface", "RDSNetworkInterface");
        aws.Fleet.AddManagedInterface("interface", "EFS mount target for fs-0a1b2c3d (fsmt-0a1b2c3d)");
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
