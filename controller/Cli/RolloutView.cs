using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;

namespace IpsecMesh.Cli;

/// <summary>The config roll-out as <c>status</c> shows it (text and JSON).</summary>
public sealed record RolloutView(string? LastGood, string? Target, int? Wave, int? Waves, string? StoppedBy, string? StoppedReason, DateTimeOffset? StoppedAt)
{
    public static RolloutView Of(RolloutState state, IpsecMeshOptions options)
    {
        var waves = RolloutWaves.TryParse(options.RolloutWaves, out var parsed) is null ? parsed.Count : (int?)null;
        return new RolloutView(state.LastGood?.Id, state.Target?.Id, state.Target is null ? null : state.Wave, waves,
            state.Stopped?.InstanceId, state.Stopped?.Reason, state.Stopped?.At);
    }

    public string Summary =>
        Target is null ? $"config roll-out: none; last good config {LastGood ?? "-"}"
        : StoppedBy is not null ? $"config roll-out of {Target} STOPPED in wave {Wave + 1} of {Waves}: {StoppedBy} failed at {StoppedAt:u}: {StoppedReason}; other hosts keep {LastGood}"
        : $"config roll-out of {Target}: wave {Wave + 1} of {Waves} ({(Wave == 0 ? "canaries" : "widening")}); hosts not reached keep {LastGood}";
}
