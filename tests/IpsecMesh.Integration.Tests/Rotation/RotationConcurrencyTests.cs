using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Integration.Tests.Rotation;

/// <summary>
/// RotationConcurrency on the simulator: when every host's certificate is due at once, the installs
/// that replace a certificate run one after another fleet-wide (measured from the simulated SSM's
/// command history: each is sent no sooner than the previous one finished plus RotationSettle),
/// while first enrolments run side by side.
/// </summary>
public class RotationConcurrencyTests
{
    private const string InstallCert = "ipsec-mesh install-cert";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Each install-cert takes 20 simulated seconds on the host: overlaps are long enough to see.</summary>
    private static readonly VirtualHostOptions SlowInstall = new()
    {
        Latency = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { [AgentVerbs.InstallCert] = TimeSpan.FromSeconds(20) },
        DefaultLatency = TimeSpan.Zero,
    };

    [Fact]
    public async Task Hosts_renewing_at_once_replace_their_certificates_one_at_a_time_and_first_enrolments_are_not_held_back()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:RenewAfter"] = "00:03:00",
            ["IpsecMesh:RotationSettle"] = "00:00:05",
        });
        var instances = Enumerable.Range(0, 8).Select(_ => mesh.Launch(host: SlowInstall)).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var enrolled = instances.ToDictionary(i => i.InstanceId, i => i.Tag("IPSec:CertExpiry"));
        var tagWritesBefore = mesh.Calls("ec2:CreateTags");

        await mesh.WaitForAsync(() => instances.All(i => i.Tag("IPSec:CertExpiry") is { } now && now != enrolled[i.InstanceId]), "every host to renew", TimeSpan.FromSeconds(90));

        var installs = mesh.Aws.CommandHistory.Where(c => c.Comment == InstallCert).GroupBy(c => c.InstanceId)
            .Select(g => g.OrderBy(c => c.RequestedAt).ToList()).ToList();
        Assert.Equal(instances.Length, installs.Count);
        // First enrolments ran side by side.
        var first = installs.Select(g => g[0]).OrderBy(c => c.RequestedAt).ToList();
        Assert.True(first.Zip(first.Skip(1)).Any(p => p.Second.RequestedAt < p.First.EndedAt), Describe("first installs", first));
        // Replacements: one at a time, each sent after the previous one finished and settled.
        var replacing = installs.SelectMany(g => g.Skip(1)).OrderBy(c => c.RequestedAt).ToList();
        Assert.True(replacing.Count >= instances.Length, Describe("replacing installs", replacing));
        foreach (var (previous, next) in replacing.Zip(replacing.Skip(1)))
        {
            Assert.True(previous.EndedAt is { } ended && next.RequestedAt >= ended + Settle,
                $"{next.InstanceId}'s install-cert was sent at {next.RequestedAt:HH:mm:ss.fff} while {previous.InstanceId}'s, sent at {previous.RequestedAt:HH:mm:ss.fff}, "
                + $"ended {previous.EndedAt:HH:mm:ss.fff} (settle {Settle})\n{Describe("replacing installs", replacing)}");
        }
        // A host waiting for its turn writes no tags: about three writes per renewal (renewing, installing, enrolled with the new expiry).
        var tagWrites = mesh.Calls("ec2:CreateTags") - tagWritesBefore;
        Assert.True(tagWrites <= 4 * replacing.Count, $"{tagWrites} tag writes for {replacing.Count} renewals");
        Assert.Equal(0, mesh.Aws.OverlappingCommands);
    }

    private static string Describe(string what, IEnumerable<InvocationRecord> invocations) =>
        what + ":\n" + string.Join("\n", invocations.Select(c => $"  {c.InstanceId} requested {c.RequestedAt:HH:mm:ss.fff} started {c.StartedAt:HH:mm:ss.fff} ended {c.EndedAt:HH:mm:ss.fff} {c.Status}"));
}
