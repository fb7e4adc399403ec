namespace IpsecMesh.Simulator;

/// <summary>Injected faults. Probabilities are per call (or per event message) in [0, 1], drawn from the seeded random.</summary>
public sealed record FaultOptions
{
    /// <summary>Chance that any call is answered with the service's throttling error, on top of the token buckets.</summary>
    public double ThrottleProbability { get; init; }

    /// <summary>Chance that any call is answered with the service's 5xx internal error.</summary>
    public double ServerErrorProbability { get; init; }

    /// <summary>Simulated latency added to every call (waited on the simulator's TimeProvider).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Chance that an EventBridge event never reaches the queue.</summary>
    public double EventDropProbability { get; init; }

    /// <summary>Chance that an EventBridge event is delivered twice.</summary>
    public double EventDuplicateProbability { get; init; }

    /// <summary>Chance that an EventBridge event overtakes earlier messages in the queue.</summary>
    public double EventReorderProbability { get; init; }

    public static FaultOptions None { get; } = new();

    /// <summary>What `simulate --faults chaos` uses: a few percent of everything going wrong.</summary>
    public static FaultOptions Chaos { get; } = new()
    {
        ThrottleProbability = 0.02,
        ServerErrorProbability = 0.01,
        Latency = TimeSpan.FromMilliseconds(40),
        EventDropProbability = 0.05,
        EventDuplicateProbability = 0.05,
        EventReorderProbability = 0.2,
    };

    internal IEnumerable<string> Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(ThrottleProbability), ThrottleProbability),
            (nameof(ServerErrorProbability), ServerErrorProbability),
            (nameof(EventDropProbability), EventDropProbability),
            (nameof(EventDuplicateProbability), EventDuplicateProbability),
            (nameof(EventReorderProbability), EventReorderProbability),
        })
        {
            if (value is < 0 or > 1 || double.IsNaN(value)) yield return $"Faults.{name} must be within [0, 1], was {value}";
        }
        if (Latency < TimeSpan.Zero) yield return $"Faults.Latency must not be negative, was {Latency}";
    }
}
