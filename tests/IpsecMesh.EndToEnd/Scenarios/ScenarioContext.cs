using IpsecMesh.Core.Agents;
using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>What every scenario works with: the guest, the cloud, the hosts by role and the live policy.</summary>
public sealed class ScenarioContext(GuestControl guest, IMeshCloud cloud, TimeProvider time, IReadOnlyList<GuestHost> hosts, MeshPolicy policy,
    SuiteController controller)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public GuestControl Guest { get; } = guest;
    public IMeshCloud Cloud { get; } = cloud;
    public TimeProvider Time { get; } = time;
    /// <summary>The three hosts that enrol (scenario a) and stay in the mesh.</summary>
    public IReadOnlyList<GuestHost> Mesh { get; } = hosts.Take(3).ToArray();
    /// <summary>Never enrolled (scenario b).</summary>
    public GuestHost Outsider { get; } = hosts[3];
    /// <summary>Its install is made to fail (scenario f).</summary>
    public GuestHost Broken { get; } = hosts[4];
    public MeshPolicy Policy { get; private set; } = policy;
    public SuiteController Controller { get; } = controller;

    /// <summary>Guest clock minus ours, to place capture timestamps on our timeline.</summary>
    public TimeSpan GuestClockOffset { get; set; }

    /// <summary>The /30 each host sits in; the suite's policy lists hosts by these blocks.</summary>
    public static string CidrOf(GuestHost host)
    {
        var octets = host.Address.Split('.').Select(int.Parse).ToArray();
        return $"{octets[0]}.{octets[1]}.{octets[2]}.{octets[3] & ~3}/30";
    }

    public IEnumerable<(GuestHost From, GuestHost To)> MeshPairs() =>
        from a in Mesh from b in Mesh where a != b select (a, b);

    public HostHealth? HealthOf(GuestHost host)
    {
        var instanceId = Cloud.InstanceIdOf(host);
        return Controller.HostHealth.FirstOrDefault(h => h.InstanceId == instanceId);
    }

    public string Tag(GuestHost host, string key) => Cloud.TagsOf(host).GetValueOrDefault(key, "");

    public DateTimeOffset ToLocalTime(DateTimeOffset guestTimestamp) => guestTimestamp - GuestClockOffset;

    /// <summary>Polls until the condition holds; false once the timeout passed.</summary>
    public async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Time.GetUtcNow() + timeout;
        while (!condition())
        {
            if (Time.GetUtcNow() > deadline) return false;
            await Task.Delay(PollInterval, Time, cancellationToken);
        }
        return true;
    }

    /// <summary>Uploads a changed policy and waits until every mesh host reports a new applied config hash.</summary>
    public async Task<bool> RollOutAsync(MeshPolicy next, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await RollOutTimedAsync(next, timeout, cancellationToken)).Done;

    /// <summary>
    /// As <see cref="RollOutAsync"/>, with when each host first reported the new hash (seconds after the upload): the
    /// roll-out's waves as the hosts saw them.
    /// </summary>
    public async Task<(bool Done, IReadOnlyDictionary<GuestHost, double> Seconds)> RollOutTimedAsync(MeshPolicy next, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var before = Mesh.ToDictionary(h => h, h => Tag(h, MeshTags.Config));
        var uploaded = Time.GetUtcNow();
        await Cloud.UploadPolicyAsync(next, cancellationToken);
        Policy = next;
        var seen = new Dictionary<GuestHost, double>();
        var done = await WaitForAsync(() =>
        {
            foreach (var h in Mesh.Where(h => !seen.ContainsKey(h) && Tag(h, MeshTags.Config) is { Length: > 0 } now && now != before[h]))
                seen[h] = (Time.GetUtcNow() - uploaded).TotalSeconds;
            var hashes = Mesh.Select(h => Tag(h, MeshTags.Config)).ToArray();
            return seen.Count == Mesh.Count && hashes.Distinct().Count() == 1;
        }, timeout, cancellationToken);
        return (done, seen);
    }
}
