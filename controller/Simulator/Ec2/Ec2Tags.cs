using System.Xml.Linq;
using static IpsecMesh.Simulator.Ec2.Ec2Xml;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>
/// DescribeTags over the instances' tags: filters <c>resource-id</c>, <c>resource-type</c>, <c>key</c>, <c>value</c>
/// (wildcards), <c>MaxResults</c> 5–1000 with <c>NextToken</c>; ordered by instance, then key.
/// </summary>
internal static class Ec2Tags
{
    public static object[] Describe(Fleet fleet, QueryArgs args)
    {
        var filters = args.Filters();
        var maxResults = args.Int("MaxResults");
        if (maxResults is < 5 or > 1000)
            throw Ec2Errors.InvalidParameterValue($"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        var after = PageToken.Decode("tags", args["NextToken"]);
        List<(string ResourceId, string Key, string Value)> rows;
        lock (fleet.Sync)
            rows = fleet.Instances.OrderBy(i => i.LaunchIndex)
                .SelectMany(i => i.TagMap.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (i.InstanceId, t.Key, t.Value)))
                .ToList();
        var matching = rows.Select((row, index) => (Row: row, Index: index))
            .Where(r => r.Index > after)
            .Where(r => filters.All(f => f.Name switch
            {
                "resource-id" => FilterMatcher.AnyMatches(f.Values, [r.Row.ResourceId]),
                "resource-type" => FilterMatcher.AnyMatches(f.Values, ["instance"]),
                "key" => FilterMatcher.AnyMatches(f.Values, [r.Row.Key]),
                "value" => FilterMatcher.AnyMatches(f.Values, [r.Row.Value]),
                _ => throw Ec2Errors.InvalidParameterValue($"The filter '{f.Name}' is invalid"),
            }));
        var page = (maxResults is { } max ? matching.Take(max + 1) : matching).ToList();
        string? next = null;
        if (maxResults is { } limit && page.Count > limit)
        {
            page.RemoveAt(limit);
            next = PageToken.Encode("tags", page[^1].Index);
        }
        return
        [
            Set("tagSet", page.Select(r => Item(E("resourceId", r.Row.ResourceId), E("resourceType", "instance"), E("key", r.Row.Key), E("value", r.Row.Value)))),
            next is null ? null! : E("nextToken", next),
        ];
    }
}
