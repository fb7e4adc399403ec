using IpsecMesh.Core.Model;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Tests.State;

/// <summary>When a tag change is only the echo of the controller's own write, the controller need not re-read EC2.</summary>
public class InstanceStoreEchoTests
{
    private const string Id = "i-0abcdef1234567890";
    private readonly InstanceStore _store = new();

    private void Remember(string state = "running")
    {
        _store.Observe(Snapshot(state));
        _store.Get(Id).PendingEchoes["IPSec"] = "enabled";
    }

    private static InstanceSnapshot Snapshot(string state) => new()
    {
        InstanceId = Id,
        InstanceArn = "",
        State = state,
        Tags = new Dictionary<string, string> { ["IPSec"] = "enabled", ["Name"] = "web" },
        ObservedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void A_change_to_the_values_the_fresh_snapshot_holds_is_an_echo()
    {
        Remember();
        Assert.True(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "enabled" }));
    }

    [Fact]
    public void Only_the_first_event_with_the_written_value_is_an_echo_a_later_touch_is_read_again()
    {
        Remember();
        Assert.True(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "enabled" }));
        Assert.False(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "enabled" }));
    }

    [Fact]
    public void A_change_the_controller_did_not_write_is_news_even_when_the_snapshot_holds_it()
    {
        _store.Observe(Snapshot("running"));
        Assert.False(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "enabled" }));
        Remember();
        Assert.False(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "enabled", ["Name"] = "web" }));
    }

    [Fact]
    public void A_change_to_another_value_or_a_removal_is_news()
    {
        Remember();
        Assert.False(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "off" }));
        Assert.False(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = null }));
        Assert.False(_store.Echoes(Id, new Dictionary<string, string?> { ["IPSec"] = "enabled", ["Name"] = "db" }));
    }

    [Fact]
    public void Nothing_is_an_echo_of_a_stale_unknown_or_terminated_instance()
    {
        var echo = new Dictionary<string, string?> { ["IPSec"] = "enabled" };
        Assert.False(_store.Echoes(Id, echo));
        Remember();
        _store.MarkStale(Id);
        Assert.False(_store.Echoes(Id, echo));
        _store.Forget(Id);
        Remember("terminated");
        Assert.False(_store.Echoes(Id, echo));
    }
}
