namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>One scenario's verdict and the figures it measured, printed as one line.</summary>
public sealed record ScenarioOutcome(string Id, string Title, IReadOnlyList<string> Failures, string Figures)
{
    public bool Passed => Failures.Count == 0;

    public override string ToString() =>
        $"e2e scenario {Id} {(Passed ? "PASS" : "FAIL")}: {Title} | {Figures}"
        + (Passed ? "" : " | " + string.Join("; ", Failures));
}
