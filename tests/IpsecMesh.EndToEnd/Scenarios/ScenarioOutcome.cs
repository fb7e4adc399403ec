namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>One scenario's verdict and the figures it measured, printed as one line.</summary>
public sealed record ScenarioOutcome(string Id, string Title, IReadOnlyList<string> Failures, string Figures)
{
    public bool Passed => Failures.Count == 0;

    /// <summary>The libreswan the guest ran ("libreswan 5.2"), when the driver was told.</summary>
    public string? RanOn { get; init; }

    /// <summary>Not run on this libreswan generation (the driver's subset for 5.x, docs/e2e.md).</summary>
    public bool Skipped { get; init; }

    /// <summary>The scenario's wall time, for the suite's time budget (docs/e2e.md).</summary>
    public TimeSpan? Elapsed { get; init; }

    public override string ToString() =>
        $"e2e scenario {Id}{(RanOn is null ? "" : $" ({RanOn})")} {(Skipped ? "SKIP" : Passed ? "PASS" : "FAIL")}"
        + (Elapsed is { } elapsed ? $" in {elapsed.TotalSeconds:F0} s" : "") + $": {Title} | {Figures}"
        + (Passed ? "" : " | " + string.Join("; ", Failures));
}
