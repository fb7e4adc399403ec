using System.Text.RegularExpressions;

namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>
/// Reads the conn template as libreswan's ipsec.conf(5) lays it out: unindented section headers
/// (<c>config setup</c>, <c>conn NAME</c>), indented <c>keyword=value</c> lines, <c>#</c> comments.
/// Anything else (an <c>include</c>, a <c>version</c> line, a setting outside a section) is an error
/// naming the line: the template is the whole of the mesh's libreswan config, never a pointer to more.
/// </summary>
public static partial class TemplateParser
{
    public static IReadOnlyList<TemplateSection> Parse(string text, string fileLabel, ICollection<PolicyError> errors)
    {
        var sections = new List<TemplateSection>();
        List<TemplateSetting>? settings = null;
        var lines = PolicyFileParser.SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
        {
            var number = i + 1;
            var line = lines[i];
            if (BlankOrComment().IsMatch(line)) continue;
            if (Setup().IsMatch(line))
            {
                settings = [];
                sections.Add(new TemplateSection(true, "setup", number, settings));
            }
            else if (Conn().Match(line) is { Success: true } conn)
            {
                settings = [];
                sections.Add(new TemplateSection(false, conn.Groups[1].Value, number, settings));
            }
            else if (Indented().IsMatch(line))
            {
                if (settings is null)
                    errors.Add(new PolicyError(fileLabel, number, "a setting before any 'config setup' or 'conn' section"));
                else if (ReadSetting(line, number, fileLabel, errors) is { } setting)
                {
                    if (settings.Any(s => s.Keyword == setting.Keyword))
                        errors.Add(new PolicyError(fileLabel, number, $"'{setting.Keyword}' is set twice in the same section"));
                    else
                        settings.Add(setting);
                }
            }
            else
            {
                var word = line.Split((char[])[' ', '\t'], 2)[0];
                errors.Add(new PolicyError(fileLabel, number, word == "include"
                    ? "'include' is not allowed: the template is the mesh's whole libreswan config"
                    : $"'{word}' is not a section the template may hold (only 'config setup' and 'conn NAME')"));
                settings = null;
            }
        }
        return sections;
    }

    private static TemplateSetting? ReadSetting(string line, int number, string fileLabel, ICollection<PolicyError> errors)
    {
        var match = Setting().Match(line);
        if (!match.Success)
        {
            errors.Add(new PolicyError(fileLabel, number, "an indented line must be 'keyword=value'"));
            return null;
        }
        var raw = match.Groups[2].Value.Trim();
        string value;
        if (raw.StartsWith('"'))
        {
            var close = raw.IndexOf('"', 1);
            if (close < 0 || !BlankOrComment().IsMatch(raw[(close + 1)..]))
            {
                errors.Add(new PolicyError(fileLabel, number, "an unterminated or trailing quoted value"));
                return null;
            }
            value = raw[1..close];
        }
        else
        {
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            value = (hash < 0 ? raw : raw[..hash]).Trim();
        }
        return new TemplateSetting(match.Groups[1].Value, value, number);
    }

    [GeneratedRegex(@"^\s*(#.*)?$")]
    private static partial Regex BlankOrComment();

    [GeneratedRegex(@"^config\s+setup\s*(#.*)?$")]
    private static partial Regex Setup();

    [GeneratedRegex(@"^conn\s+(\S+)\s*(#.*)?$")]
    private static partial Regex Conn();

    [GeneratedRegex(@"^\s+\S")]
    private static partial Regex Indented();

    [GeneratedRegex(@"^\s+([A-Za-z0-9_-]+)\s*=(.*)$")]
    private static partial Regex Setting();
}
