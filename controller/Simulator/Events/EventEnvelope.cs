using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Events;

/// <summary>EventBridge events as AWS delivers them to an SQS target (the message body is the event).</summary>
internal static class EventEnvelope
{
    public static string StateChange(string id, string account, string region, DateTimeOffset time, string instanceId, InstanceState state) =>
        Envelope(id, "EC2 Instance State-change Notification", "aws.ec2", account, region, time, instanceId,
            new JsonObject { ["instance-id"] = instanceId, ["state"] = state.WireName() });

    public static string TagChange(string id, string account, string region, DateTimeOffset time, string instanceId,
        IEnumerable<string> changedKeys, int version, IReadOnlyDictionary<string, string> tags)
    {
        var tagObject = new JsonObject();
        foreach (var (key, value) in tags) tagObject[key] = value;
        return Envelope(id, "Tag Change on Resource", "aws.tag", account, region, time, instanceId, new JsonObject
        {
            ["changed-tag-keys"] = new JsonArray(changedKeys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
            ["service"] = "ec2",
            ["resource-type"] = "instance",
            ["version"] = version,
            ["tags"] = tagObject,
        });
    }

    private static string Envelope(string id, string detailType, string source, string account, string region,
        DateTimeOffset time, string instanceId, JsonObject detail) =>
        new JsonObject
        {
            ["version"] = "0",
            ["id"] = id,
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = account,
            ["time"] = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["region"] = region,
            ["resources"] = new JsonArray($"arn:aws:ec2:{region}:{account}:instance/{instanceId}"),
            ["detail"] = detail,
        }.ToJsonString();
}
