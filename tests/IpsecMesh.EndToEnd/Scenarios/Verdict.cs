namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>Collects a scenario's failed expectations and figures while it runs.</summary>
public sealed class Verdict(string id, string title)
{
    private readonly List<string> _failures = [];
    private readonly List<string> _figures = [];

    public void Expect(bool condition, string failure)
    {
        if (!condition) _failures.Add(failure);
    }

    public void Figure(string figure) => _figures.Add(figure);

    public ScenarioOutcome Outcome() => new(id, title, _failures.ToArray(), string.Join(", ", _figures));
}
