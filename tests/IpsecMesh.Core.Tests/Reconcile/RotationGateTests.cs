using IpsecMesh.Core.Options;
using IpsecMesh.Core.Reconcile;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Reconcile;

/// <summary>The fleet-wide limit on installs that replace a host's certificate (RotationConcurrency).</summary>
public class RotationGateTests
{
    private static readonly IpsecMeshOptions Options = new()
    {
        RotationConcurrency = 1,
        RotationSettle = TimeSpan.FromSeconds(5),
        CommandPollInterval = TimeSpan.FromSeconds(5),
        CommandTimeout = TimeSpan.FromMinutes(10),
    };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T12:00:00Z"));

    [Fact]
    public void A_second_replacement_waits_until_the_first_finished_and_settled()
    {
        var gate = new RotationGate(Options, _time);

        Assert.True(gate.TryEnter("i-1", out _));
        Assert.False(gate.TryEnter("i-2", out var whileRunning));
        Assert.Equal(Options.CommandPollInterval, whileRunning);

        _time.Advance(TimeSpan.FromSeconds(30));
        gate.Finished("i-1");
        Assert.False(gate.TryEnter("i-2", out var whileSettling));
        Assert.Equal(TimeSpan.FromSeconds(5), whileSettling);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(gate.TryEnter("i-2", out var almost));
        Assert.Equal(TimeSpan.FromSeconds(1), almost);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gate.TryEnter("i-2", out _));
        Assert.Equal(1, gate.Held);
    }

    [Fact]
    public void The_limit_is_the_setting_and_a_holder_may_enter_again()
    {
        var gate = new RotationGate(Options with { RotationConcurrency = 2 }, _time);

        Assert.True(gate.TryEnter("i-1", out _));
        Assert.True(gate.TryEnter("i-2", out _));
        Assert.False(gate.TryEnter("i-3", out _));
        // The same host's next install (a retry after a failed one) keeps its slot, running again.
        gate.Finished("i-1");
        Assert.True(gate.TryEnter("i-1", out _));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(gate.TryEnter("i-3", out _));
        Assert.Equal(2, gate.Held);
    }

    [Fact]
    public void An_abandoned_send_frees_its_slot_at_once()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", out _));

        gate.Abandon("i-1");

        Assert.True(gate.TryEnter("i-2", out _));
    }

    [Fact]
    public void A_command_never_seen_to_finish_stops_counting_after_the_command_timeout()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", out _));

        _time.Advance(Options.CommandTimeout);
        Assert.False(gate.TryEnter("i-2", out _));
        _time.Advance(Options.RotationSettle + TimeSpan.FromMinutes(1));

        Assert.True(gate.TryEnter("i-2", out _));
    }

    [Fact]
    public void A_new_leader_counts_the_install_commands_it_recovered_until_they_finish()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-9", out _));
        gate.Clear();

        gate.Recover("i-1", _time.GetUtcNow() - TimeSpan.FromMinutes(1));
        gate.Recover("i-1", _time.GetUtcNow());

        Assert.False(gate.TryEnter("i-2", out _));
        gate.Finished("i-1");
        _time.Advance(Options.RotationSettle);
        Assert.True(gate.TryEnter("i-2", out _));
    }

    [Fact]
    public void Finished_without_a_slot_changes_nothing()
    {
        var gate = new RotationGate(Options, _time);

        gate.Finished("i-1");
        gate.Abandon("i-1");

        Assert.Equal(0, gate.Held);
        Assert.True(gate.TryEnter("i-2", out _));
    }
}
