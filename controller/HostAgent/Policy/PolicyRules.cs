using System.Net;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>Rules across the groups: nothing listed twice in different groups, no catch-all in clear.</summary>
public static class PolicyRules
{
    private static readonly IPNetwork[] CatchAll = [IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0")];

    public static void Check(IReadOnlyDictionary<string, IReadOnlyList<PolicyEntry>> groups, Func<string, string> label, ICollection<PolicyError> errors)
    {
        foreach (var entry in groups[PolicyGroups.Clear].Where(e => CatchAll.Contains(e.Network)))
            errors.Add(new PolicyError(label(PolicyGroups.Clear), entry.Line,
                $"{entry.Network} in clear would exempt every peer from IPsec; list exceptions only"));

        var firstSeen = new Dictionary<IPNetwork, PolicyEntry>();
        foreach (var entry in PolicyGroups.All.SelectMany(g => groups[g]))
        {
            if (!firstSeen.TryGetValue(entry.Network, out var first))
            {
                firstSeen[entry.Network] = entry;
                continue;
            }
            if (first.Group != entry.Group)
                errors.Add(new PolicyError(label(entry.Group), entry.Line,
                    $"{entry.Network} is also in {first.Group} (line {first.Line}): a CIDR belongs to one group"));
        }
    }
}
