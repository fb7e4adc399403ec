using System.Net;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Vpc;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Vpc;

public class VpcPolicyFactsTests
{
    private static GeneratedEntry Clear(string address) => new("clear", IPNetwork.Parse(address + "/32"), "eni-00000001", "network_load_balancer");

    [Fact]
    public void A_churning_load_balancer_is_published_at_most_once_per_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
        var facts = new VpcPolicyFacts(new IpsecMeshOptions { ManagedClearWindow = TimeSpan.FromMinutes(5) }, time);
        var published = new List<string>();

        // An hour of resyncs every 30 s, the load balancer's second node coming and going at each.
        for (var i = 0; i < 120; i++)
        {
            facts.Observe(i % 2 == 0 ? [Clear("172.31.0.10")] : [Clear("172.31.0.10"), Clear("172.31.0.11")], []);
            published.Add(string.Join(",", facts.Settle()!.Select(e => e.Network)));
            time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.InRange(facts.Publications, 2, 13);
        Assert.Equal(facts.Publications, published.Zip(published.Skip(1)).Count(p => p.First != p.Second) + 1);
    }

    [Fact]
    public void The_first_scan_is_published_at_once_and_a_pending_change_when_the_window_has_passed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z"));
        var facts = new VpcPolicyFacts(new IpsecMeshOptions { ManagedClearWindow = TimeSpan.FromMinutes(5) }, time);
        Assert.Null(facts.Settle());

        facts.Observe([Clear("172.31.0.10")], []);
        Assert.Single(facts.Settle()!);

        time.Advance(TimeSpan.FromMinutes(1));
        facts.Observe([], []);
        Assert.Single(facts.Settle()!);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(facts.Settle()!);
        Assert.Equal(2, facts.Publications);
    }

    [Fact]
    public void Switched_off_it_generates_nothing()
    {
        var facts = new VpcPolicyFacts(new IpsecMeshOptions { ManagedClear = false }, TimeProvider.System);
        facts.Observe([Clear("172.31.0.10")], []);
        Assert.Empty(facts.Settle()!);
    }
}
