using System.Diagnostics;

namespace IpsecMesh.Core.Telemetry;

/// <summary>
/// Carries the trace contexts of the reconciles whose items a batched AWS call serves. The batchers flush
/// on their own loop, where no reconcile span is current; <see cref="AwsCallMeter"/> reads these contexts
/// to make the call span a child of its only submitter, or a root span linked to each of several.
/// </summary>
public static class BatchTrace
{
    /// <summary>More links than this add little to a trace and cost export size; the rest are dropped.</summary>
    public const int MaxLinks = 64;

    private static readonly AsyncLocal<IReadOnlyList<ActivityContext>?> Submitters = new();

    /// <summary>The context a submitter hands to a batcher: its current span, or none.</summary>
    public static ActivityContext Capture() => Activity.Current?.Context ?? default;

    /// <summary>Marks the calls made until disposal as serving these submitters.</summary>
    public static Scope Begin(IEnumerable<ActivityContext> submitters)
    {
        var previous = Submitters.Value;
        Submitters.Value = [.. submitters.Where(c => c != default).Distinct()];
        return new Scope(previous);
    }

    internal static IReadOnlyList<ActivityContext>? Current => Submitters.Value;

    public readonly struct Scope(IReadOnlyList<ActivityContext>? previous) : IDisposable
    {
        public void Dispose() => Submitters.Value = previous;
    }
}
