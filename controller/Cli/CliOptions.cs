using System.CommandLine;
using System.Globalization;

namespace IpsecMesh.Cli;

/// <summary>Typed options shared by the verbs: a switch, whole numbers and numbers within a range, a choice of words.</summary>
public static class CliOptions
{
    /// <summary><c>--json</c>: one JSON document on standard output instead of text.</summary>
    public static Option<bool> Json(string description = "one JSON document on standard output instead of text") =>
        new("--json") { Description = description };

    /// <summary>A switch (no value): true when given.</summary>
    public static Option<bool> Switch(string name, string description) => new(name) { Description = description };

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]; null when the option is not given.</summary>
    /// <remarks>Out of range is a parse error: "--NAME 'V' must be a whole number from MIN to MAX" (exit 2).</remarks>
    public static Option<int?> WholeNumber(string name, int min, int max, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            // Parsing and range in one step: a validator would run after a failed parse and throw on the missing value.
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
                result.AddError($"{name} '{text}' must be a whole number from {min} to {max}");
                return null;
            },
        };

    /// <summary>A number (invariant culture, e.g. 2.5) in [<paramref name="min"/>, <paramref name="max"/>]; null when not given.</summary>
    public static Option<double?> Number(string name, double min, double max, string description)
    {
        var range = $"{name} '{{0}}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
        return new Option<double?>(name)
        {
            Description = description,
            HelpName = "F",
            // Parsing and range in one step: a validator would run after a failed parse and throw on the missing value.
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
                result.AddError(string.Format(CultureInfo.InvariantCulture, range, text));
                return null;
            },
        };
    }

    /// <summary>One word of <paramref name="choices"/> (the first is the default).</summary>
    public static Option<string> Choice(string name, string description, params string[] choices)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => choices[0] };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    /// <summary>A text value (a path, a name); null when not given.</summary>
    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };
}
