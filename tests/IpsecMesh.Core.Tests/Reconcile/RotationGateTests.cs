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

    private static readonly DateTimeOffset Expiry = DateTimeOffset.Parse("2026-12-07T12:00:00Z");

    [Fact]
    public void A_second_replacement_waits_until_the_first_finished_and_settled()
    {
        var gate = new RotationGate(Options, _time);

        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        Assert.False(gate.TryEnter("i-2", Expiry, out var whileRunning));
        Assert.Equal(Options.CommandPollInterval, whileRunning);

        _time.Advance(TimeSpan.FromSeconds(30));
        gate.Finished("i-1");
        Assert.False(gate.TryEnter("i-2", Expiry, out var whileSettling));
        Assert.Equal(TimeSpan.FromSeconds(5), whileSettling);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(gate.TryEnter("i-2", Expiry, out var almost));
        Assert.Equal(TimeSpan.FromSeconds(1), almost);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gate.TryEnter("i-2", Expiry, out _));
        Assert.Equal(1, gate.Held);
    }

    [Fact]
    public void The_limit_is_the_setting_and_a_holder_may_enter_again()
    {
        var gate = new RotationGate(Options with { RotationConcurrency = 2 }, _time);

        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        Assert.True(gate.TryEnter("i-2", Expiry, out _));
        Assert.False(gate.TryEnter("i-3", Expiry, out _));
        // The same host's next install (a retry after a failed one) keeps its slot, running again.
        gate.Finished("i-1");
        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(gate.TryEnter("i-3", Expiry, out _));
        Assert.Equal(2, gate.Held);
    }

    [Fact]
    public void An_abandoned_send_frees_its_slot_at_once()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", Expiry, out _));

        gate.Abandon("i-1");

        Assert.True(gate.TryEnter("i-2", Expiry, out _));
    }

    [Fact]
    public void A_command_never_seen_to_finish_stops_counting_after_the_command_timeout()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", Expiry, out _));

        _time.Advance(Options.CommandTimeout);
        Assert.False(gate.TryEnter("i-2", Expiry, out _));
        _time.Advance(Options.RotationSettle + TimeSpan.FromMinutes(1));

        Assert.True(gate.TryEnter("i-2", Expiry, out _));
    }

    [Fact]
    public void A_new_leader_counts_the_install_commands_it_recovered_until_they_finish()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-9", Expiry, out _));
        gate.Clear();

        gate.Recover("i-1", _time.GetUtcNow() - TimeSpan.FromMinutes(1));
        gate.Recover("i-1", _time.GetUtcNow());

        Assert.False(gate.TryEnter("i-2", Expiry, out _));
        gate.Finished("i-1");
        _time.Advance(Options.RotationSettle);
        Assert.True(gate.TryEnter("i-2", Expiry, out _));
    }

    [Fact]
    public void Finished_without_a_slot_changes_nothing()
    {
        var gate = new RotationGate(Options, _time);

        gate.Finished("i-1");
        gate.Abandon("i-1");

        Assert.Equal(0, gate.Held);
        Assert.True(gate.TryEnter("i-2", Expiry, out _));
    }

    [Fact]
    public void A_freed_slot_goes_to_the_waiter_whose_certificate_expires_first()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        Assert.False(gate.TryEnter("i-late", Expiry.AddDays(2), out _));
        Assert.False(gate.TryEnter("i-soon", Expiry.AddDays(1), out _));
        gate.Finished("i-1");
        _time.Advance(Options.RotationSettle);

        // The host whose certificate lasts longer asks first and is told to wait its turn.
        Assert.False(gate.TryEnter("i-late", Expiry.AddDays(2), out var notYet));
        Assert.Equal(Options.CommandPollInterval, notYet);
        Assert.True(gate.TryEnter("i-soon", Expiry.AddDays(1), out _));
        Assert.Equal(1, gate.Waiting);
    }

    [Fact]
    public void A_host_that_just_rotated_and_is_due_again_does_not_overtake_one_that_waits()
    {
        // e2e scenario c on libreswan 4.10, with certificates due two minutes after issue: the first host took the slot
        // three times while another waited six minutes and never rotated.
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-quick", Expiry, out _));
        Assert.False(gate.TryEnter("i-waiting", Expiry, out _));
        gate.Finished("i-quick");
        _time.Advance(Options.RotationSettle);

        Assert.False(gate.TryEnter("i-quick", Expiry.AddMinutes(10), out _));
        Assert.True(gate.TryEnter("i-waiting", Expiry, out _));
    }

    [Fact]
    public void Among_equal_certificates_the_longest_waiting_goes_first()
    {
        var gate = new RotationGate(Options with { RotationConcurrency = 2 }, _time);
        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        Assert.True(gate.TryEnter("i-2", Expiry, out _));
        Assert.False(gate.TryEnter("i-b", Expiry, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(gate.TryEnter("i-c", Expiry, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(gate.TryEnter("i-a", Expiry, out _));
        gate.Abandon("i-1");

        Assert.False(gate.TryEnter("i-a", Expiry, out _));
        Assert.False(gate.TryEnter("i-c", Expiry, out _));
        Assert.True(gate.TryEnter("i-b", Expiry, out _));
    }

    [Fact]
    public void A_waiter_that_stops_asking_loses_its_place()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        Assert.False(gate.TryEnter("i-gone", Expiry.AddDays(-1), out _));
        Assert.False(gate.TryEnter("i-2", Expiry, out _));
        gate.Abandon("i-1");

        Assert.False(gate.TryEnter("i-2", Expiry, out _));
        _time.Advance(gate.StaleAfter + TimeSpan.FromSeconds(1));
        Assert.True(gate.TryEnter("i-2", Expiry, out _));
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public void A_host_that_leaves_the_fleet_leaves_the_line()
    {
        var gate = new RotationGate(Options, _time);
        Assert.True(gate.TryEnter("i-1", Expiry, out _));
        Assert.False(gate.TryEnter("i-retired", Expiry.AddDays(-1), out _));
        Assert.False(gate.TryEnter("i-2", Expiry, out _));

        gate.Abandon("i-retired");
        gate.Abandon("i-1");

        Assert.True(gate.TryEnter("i-2", Expiry, out _));
    }
}
