using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Tests.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Agents;

/// <summary>When the host health round's results are read: once, as soon as SSM says the status command ended, else at the next tick.</summary>
public sealed class HostHealthCollectorTests
{
    private const string Line = """{"ipsecMesh":1,"verb":"status","ok":true,"running":true,"ipsecSAs":2,"ikeSAs":2,"ikeFailures":0}""";

    private readonly StatusOnlySsm _ssm = new(new Dictionary<string, string>(StringComparer.Ordinal) { ["i-0000000000000000a"] = Line, ["i-0000000000000000b"] = Line });
    private readonly HostHealthCollector _collector;

    public HostHealthCollectorTests() =>
        _collector = new HostHealthCollector(_ssm, new IpsecMeshOptions(), new FakeTimeProvider(DateTimeOffset.UnixEpoch), NullLogger<HostHealthCollector>.Instance);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_command_ended_event_has_the_results_read_at_the_next_command_poll_and_the_tick_does_not_read_them_again()
    {
        await _collector.CollectAsync(Token);

        _collector.Notify(new CommandEvent("command-1", null, "ipsec-mesh-agent", "Success"));
        await _collector.ReadEndedAsync(Token);

        Assert.Equal(2, _collector.Latest.Count);
        Assert.Equal(1, _ssm.Listings);
        await _collector.ReadEndedAsync(Token);
        await _collector.CollectAsync(Token);
        Assert.Equal(1, _ssm.Listings);
        Assert.Equal(2, _ssm.TaggedSends);
    }

    [Fact]
    public async Task One_host_s_invocation_or_another_command_ending_reads_nothing_early()
    {
        await _collector.CollectAsync(Token);

        _collector.Notify(new CommandEvent("command-1", "i-0000000000000000a", "ipsec-mesh-agent", "Success"));
        _collector.Notify(new CommandEvent("command-other", null, "ipsec-mesh-agent", "Success"));
        _collector.Notify(new CommandEvent("command-1", null, "ipsec-mesh-agent", "InProgress"));
        await _collector.ReadEndedAsync(Token);

        Assert.Empty(_collector.Latest);
        Assert.Equal(0, _ssm.Listings);
        await _collector.CollectAsync(Token);
        Assert.Equal(2, _collector.Latest.Count);
        Assert.Equal(1, _ssm.Listings);
    }

    [Fact]
    public async Task A_failed_read_keeps_the_round_for_the_next_tick()
    {
        await _collector.CollectAsync(Token);
        _ssm.FailingListings = 1;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _collector.CollectAsync(Token));
        Assert.Empty(_collector.Latest);

        await _collector.CollectAsync(Token);
        Assert.Equal(2, _collector.Latest.Count);
        Assert.Equal(2, _ssm.TaggedSends);
    }
}
