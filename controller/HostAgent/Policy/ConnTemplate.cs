using IpsecMesh.HostAgent.Policy.Template;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>
/// Checks the libreswan conn template against the mesh's allow-list (<see cref="TemplateRules"/>):
/// one <c>config setup</c> section (the agent writes it into the host's ipsec.conf, the only place
/// pluto reads it; it must set <c>crlcheckinterval</c>), the base conn and one conn per policy group (libreswan binds a group file
/// to the conn of the same name), each with only the keywords and values the mesh allows. Every
/// problem is reported with file and line, all at once.
/// </summary>
public static class ConnTemplate
{
    /// <summary>The NSS nickname under which the host agent installs the host certificate.</summary>
    public const string HostCertificateNickname = "ipsec-mesh-host";

    /// <summary>The <c>config setup</c> options a template may set; the rest belong to the host and the agent.</summary>
    public static IReadOnlyList<string> SetupOptions { get; } = [.. TemplateRules.Setup.Required.Keys, .. TemplateRules.Setup.Optional.Keys];

    public static void Validate(string text, string fileLabel, ICollection<PolicyError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in TemplateParser.Parse(text, fileLabel, errors))
        {
            if (!seen.Add(section.Title))
            {
                errors.Add(new PolicyError(fileLabel, section.Line, $"'{section.Title}' appears twice"));
                continue;
            }
            if (TemplateRules.For(section) is not { } rules)
            {
                errors.Add(new PolicyError(fileLabel, section.Line,
                    $"conn '{section.Name}' is not one the mesh knows: the template holds only {string.Join(", ", TemplateRules.Conns)}"));
                continue;
            }
            foreach (var setting in section.Settings)
                if (Check(section, rules, setting) is { } problem) errors.Add(new PolicyError(fileLabel, setting.Line, problem));
            foreach (var (keyword, rule) in rules.Required.Where(r => section.Find(r.Key) is null))
                errors.Add(new PolicyError(fileLabel, section.Line, $"{section.Title} must set {keyword} ({rule.Description})"));
        }
        if (!seen.Contains("config setup"))
            errors.Add(new PolicyError(fileLabel, 0, $"the template has no 'config setup': it must set {string.Join(", ", TemplateRules.Setup.Required.Select(r => $"{r.Key} ({r.Value.Description})"))}"));
        foreach (var conn in TemplateRules.Conns.Where(c => !seen.Contains("conn " + c)))
            errors.Add(new PolicyError(fileLabel, 0, $"the template has no 'conn {conn}'"));
    }

    private static string? Check(TemplateSection section, SectionRules rules, TemplateSetting setting)
    {
        var keyword = setting.Keyword;
        var (known, other, otherPlace) = section.IsSetup
            ? (LibreswanKeywords.Setup, LibreswanKeywords.Conn, "a conn section")
            : (LibreswanKeywords.Conn, LibreswanKeywords.Setup, "config setup");
        if (!known.Contains(keyword))
        {
            if (other.Contains(keyword)) return $"'{keyword}' belongs in {otherPlace}, not in {section.Title}";
            var nearest = KeywordSuggestion.Nearest(keyword, known);
            return $"'{keyword}' is not a libreswan keyword" + (nearest is null ? "" : $" (did you mean '{nearest}'?)");
        }
        if (rules.Refused.TryGetValue(keyword, out var reason)) return $"{keyword} is not allowed in {section.Title}: {reason}";
        if (rules.RuleFor(keyword) is { } rule) return rule.Check(keyword, setting.Value);
        var allowed = rules.Required.Keys.Concat(rules.Optional.Keys).Order(StringComparer.Ordinal);
        return $"{keyword} is not allowed in {section.Title}: the mesh allows only {string.Join(", ", allowed)} there";
    }
}
