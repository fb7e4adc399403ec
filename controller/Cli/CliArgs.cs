namespace IpsecMesh.Cli;

/// <summary>Parsed command-line arguments: positionals, <c>--name value</c> options and <c>--switch</c> flags.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positionals { get; }

    public CliArgs(IEnumerable<string> args, IReadOnlySet<string> switches)
    {
        var positionals = new List<string>();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--") { positionals.Add(arg); continue; }
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            if (eq > 0) _options[name] = arg[(eq + 1)..];
            else if (switches.Contains(name)) _options[name] = null;
            else if (i + 1 < list.Count) _options[name] = list[++i];
            else throw new CliException($"option --{name} needs a value");
        }
        Positionals = positionals;
    }

    public bool Has(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public string? Get(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public int GetInt(string name, int fallback, int min, int max)
    {
        var text = Get(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, out var value) || value < min || value > max)
            throw new CliException($"--{name} '{text}' must be a whole number from {min} to {max}");
        return value;
    }

    public double GetDouble(string name, double fallback, double min, double max)
    {
        var text = Get(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new CliException($"--{name} '{text}' must be a number from {min} to {max}");
        return value;
    }

    public string GetChoice(string name, string fallback, params string[] choices)
    {
        var text = Get(name) ?? fallback;
        return choices.Contains(text, StringComparer.Ordinal) ? text : throw new CliException($"--{name} '{text}' must be one of {string.Join(", ", choices)}");
    }

    /// <summary>Rejects options nobody asked for, naming them, so a typo never passes silently.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new CliException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}
