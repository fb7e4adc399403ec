using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Rollout;

/// <summary>Waves, canaries, the stop on failure, and what survives a restart.</summary>
public class ConfigRolloutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TrustBundle Bundle = new("bundle-1", "PEM", ["ca-1"]);
    private static readonly IpsecMeshOptions Options = new() { RolloutWaves = "1,5%,25%,100%", RolloutWaveSoak = TimeSpan.FromMinutes(2), RolloutWaveTimeout = TimeSpan.FromMinutes(30) };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T12:00:00Z"));
    private readonly InMemoryObjectStore _objects = new();
    private readonly StateSealKey _key;

    public ConfigRolloutTests()
    {
        _key = new StateSealKey(_objects);
        _key.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private ConfigRollout NewRollout() => new(new RolloutStore(_objects, _key), Options, _time, NullLogger<ConfigRollout>.Instance);

    private static ConfigGeneration Generation(string privateCidr)
    {
        var files = new Dictionary<string, string>(MeshPolicy.Default.ToFiles(), StringComparer.Ordinal) { [PolicyGroups.Private] = privateCidr + "\n" };
        return new ConfigGeneration(MeshPolicy.Load(files, "test").Policy!, Bundle);
    }

    private static readonly ConfigGeneration Old = Generation("10.1.0.0/16");
    private static readonly ConfigGeneration New = Generation("10.2.0.0/16");
    private static readonly string[] Fleet = [.. Enumerable.Range(0, 40).Select(i => $"i-{i:x8}")];

    private static List<(string InstanceId, string? AppliedHash)> Running(IEnumerable<string> onNew) =>
        [.. Fleet.Select(id => (id, onNew.Contains(id) ? "new" : (string?)"old"))];

    private static IReadOnlyList<string> Admitted(ConfigRollout rollout) => [.. Fleet.Where(id => rollout.GenerationFor(id, runsTarget: false)?.Id == New.Id)];

    private async Task<ConfigRollout> StartedAsync()
    {
        var rollout = NewRollout();
        await rollout.LoadAsync(Ct);
        await rollout.OfferAsync(Old, Ct);
        await rollout.OfferAsync(New, Ct);
        await rollout.AdvanceAsync(Running([]), "new", Ct);
        return rollout;
    }

    [Fact]
    public async Task The_first_config_is_the_last_good_one_at_once()
    {
        var rollout = NewRollout();
        await rollout.LoadAsync(Ct);
        await rollout.OfferAsync(Old, Ct);

        Assert.Equal(Old.Id, rollout.LastGood?.Id);
        Assert.Null(rollout.Target);
        Assert.All(Fleet, id => Assert.Equal(Old.Id, rollout.GenerationFor(id, false)?.Id));
    }

    [Fact]
    public async Task A_new_config_reaches_one_canary_first_then_growing_waves()
    {
        var rollout = await StartedAsync();
        var canary = Assert.Single(Admitted(rollout));

        // The canary runs it, but the next wave waits for the soak.
        await rollout.AdvanceAsync(Running([canary]), "new", Ct);
        Assert.Single(Admitted(rollout));
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running([canary]), "new", Ct);
        // 5 % of 40 is 2 hosts; the canary stays in.
        var second = Admitted(rollout);
        Assert.Equal(2, second.Count);
        Assert.Contains(canary, second);

        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running(second), "new", Ct);
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running(second), "new", Ct);
        var third = Admitted(rollout);
        Assert.Equal(10, third.Count);
        Assert.Equal(2, rollout.Progress.Wave);

        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running(third), "new", Ct);
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running(third), "new", Ct);
        Assert.Equal(40, Admitted(rollout).Count);

        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running(Fleet), "new", Ct);
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running(Fleet), "new", Ct);
        Assert.Equal(New.Id, rollout.LastGood?.Id);
        Assert.Null(rollout.Target);
    }

    [Fact]
    public async Task A_canary_failure_stops_the_rollout_and_keeps_everyone_else_on_the_last_good_config()
    {
        var rollout = await StartedAsync();
        var canary = Assert.Single(Admitted(rollout));

        await rollout.ReportFailureAsync(canary, "config apply failed: config_failed: ipsec-mesh.conf line 42", Ct);
        _time.Advance(TimeSpan.FromHours(2));
        await rollout.AdvanceAsync(Running([]), "new", Ct);

        Assert.Empty(Admitted(rollout));
        Assert.All(Fleet, id => Assert.Equal(Old.Id, rollout.GenerationFor(id, false)?.Id));
        Assert.Equal(canary, rollout.Progress.Stopped?.InstanceId);
        Assert.Equal(0, rollout.Progress.Wave);
        // A host that already runs the target is not moved back.
        Assert.Equal(New.Id, rollout.GenerationFor(Fleet[0], runsTarget: true)?.Id);
    }

    [Fact]
    public async Task Publishing_the_last_good_config_again_ends_the_rollout_and_a_fixed_one_starts_over_at_the_canaries()
    {
        var rollout = await StartedAsync();
        await rollout.ReportFailureAsync(Admitted(rollout)[0], "failed", Ct);

        await rollout.OfferAsync(Old, Ct);
        Assert.Null(rollout.Target);
        Assert.Null(rollout.Progress.Stopped);

        var fixedConfig = Generation("10.3.0.0/16");
        await rollout.OfferAsync(fixedConfig, Ct);
        await rollout.AdvanceAsync(Running([]), "fixed", Ct);
        Assert.Equal(fixedConfig.Id, rollout.Target?.Id);
        Assert.Single(Fleet, id => rollout.GenerationFor(id, false)?.Id == fixedConfig.Id);
    }

    [Fact]
    public async Task A_wave_goes_on_without_hosts_that_neither_apply_nor_fail_once_it_times_out()
    {
        var rollout = await StartedAsync();

        _time.Advance(TimeSpan.FromMinutes(29));
        await rollout.AdvanceAsync(Running([]), "new", Ct);
        Assert.Equal(0, rollout.Progress.Wave);
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running([]), "new", Ct);
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running([]), "new", Ct);
        Assert.Equal(1, rollout.Progress.Wave);
    }

    [Fact]
    public async Task A_restarted_controller_resumes_the_rollout_where_it_was()
    {
        var rollout = await StartedAsync();
        var canary = Assert.Single(Admitted(rollout));
        await rollout.AdvanceAsync(Running([canary]), "new", Ct);
        _time.Advance(TimeSpan.FromMinutes(2));
        await rollout.AdvanceAsync(Running([canary]), "new", Ct);

        var restarted = NewRollout();
        await restarted.LoadAsync(Ct);
        await restarted.OfferAsync(New, Ct);
        await restarted.AdvanceAsync(Running([canary]), "new", Ct);

        Assert.Equal(Old.Id, restarted.LastGood?.Id);
        Assert.Equal(1, restarted.Progress.Wave);
        Assert.Equal(Admitted(rollout), Admitted(restarted));
    }

    [Fact]
    public async Task A_state_object_someone_else_wrote_is_not_believed()
    {
        var rollout = await StartedAsync();
        var stored = await _objects.GetAsync(RolloutStore.ObjectKey, Ct);
        var text = System.Text.Encoding.UTF8.GetString(stored!.Content).Replace("\"Wave\":0", "\"Wave\":3", StringComparison.Ordinal);
        await _objects.PutAsync(RolloutStore.ObjectKey, System.Text.Encoding.UTF8.GetBytes(text), Ct);

        var restarted = NewRollout();
        await restarted.LoadAsync(Ct);

        Assert.Null(restarted.LastGood);
        Assert.Null(restarted.Target);
    }

    [Theory]
    [InlineData("1,5%,25%,100%", 0, 40, 1)]
    [InlineData("1,5%,25%,100%", 1, 40, 2)]
    [InlineData("1,5%,25%,100%", 2, 40, 10)]
    [InlineData("1,5%,25%,100%", 3, 40, 40)]
    [InlineData("3,100%", 0, 2, 2)]
    [InlineData("100%", 0, 7, 7)]
    public void Waves_admit_cumulative_counts_rounded_up(string text, int wave, int fleet, int admitted)
    {
        Assert.Null(RolloutWaves.TryParse(text, out var waves));
        Assert.Equal(admitted, waves.Admitted(wave, fleet));
    }

    [Theory]
    [InlineData("1,5%,25%", "the last wave must be 100%")]
    [InlineData("0,100%", "'0' is not a host count (1 or more) or a percentage (1% to 100%)")]
    [InlineData("1,150%,100%", "'150%' is not a host count (1 or more) or a percentage (1% to 100%)")]
    [InlineData("", "'' is not a host count (1 or more) or a percentage (1% to 100%)")]
    public void Bad_waves_are_named(string text, string expected)
    {
        Assert.Equal(expected, RolloutWaves.TryParse(text, out _));
    }
}
