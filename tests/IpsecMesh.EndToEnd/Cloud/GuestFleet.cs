using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.Simulator;

namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>Launches one simulated instance per guest host, with the host's address, whose SSM commands run in the guest.</summary>
public static class GuestFleet
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    public static IReadOnlyDictionary<string, SimInstance> Launch(SimulatedAws aws, IReadOnlyList<GuestHost> hosts, SpoolClient spool)
    {
        var vpc = aws.Fleet.CreateVpc("10.99.0.0/24");
        var instances = new Dictionary<string, SimInstance>(StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            // The SSM agent's part, done in the guest: the downloaded input file placed where the document's
            // download step puts it, then the document's script (the agent, the request as its argument) run with sh -c.
            var runtime = new ExternalRuntime(async (context, run, cancellationToken) =>
            {
                var result = await spool.RunAsync(host.Name, run.StandInScript(), CommandTimeout, cancellationToken);
                return new CommandOutcome(result.ExitCode, result.Stdout, result.Stderr);
            });
            // The fleet hands out addresses in order: untagged instances launched on the addresses
            // between guest hosts are terminated at once (the controller never looks at them).
            SimInstance instance;
            while ((instance = aws.Fleet.Launch(new InstanceSpec { VpcId = vpc.VpcId, Runtime = runtime })).PrivateIpAddress != host.Address)
            {
                aws.Fleet.Terminate(instance.InstanceId);
                if (CompareAddresses(instance.PrivateIpAddress, host.Address) > 0)
                    throw new InvalidOperationException($"the fleet gave {instance.PrivateIpAddress}, past {host.Name}'s {host.Address}");
            }
            instances[host.Name] = instance;
        }
        return instances;
    }

    private static int CompareAddresses(string a, string b) =>
        Version.Parse(a).CompareTo(Version.Parse(b));
}
