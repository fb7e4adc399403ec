namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>
/// The allow-list of one template section: the keywords it must set, those it may set, each with
/// the values allowed, and why some known keywords are refused (shown to the operator).
/// </summary>
public sealed record SectionRules(
    IReadOnlyDictionary<string, ValueRule> Required,
    IReadOnlyDictionary<string, ValueRule> Optional,
    IReadOnlyDictionary<string, string> Refused)
{
    public ValueRule? RuleFor(string keyword) =>
        Required.TryGetValue(keyword, out var required) ? required : Optional.GetValueOrDefault(keyword);
}
