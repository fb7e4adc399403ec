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

    public const string CommandStatusChangeDetailType = "EC2 Command Status-change Notification";
    public const string CommandInvocationStatusChangeDetailType = "EC2 Command Invocation Status-change Notification";

    /// <summary>
    /// Run Command's event for one invocation (source <c>aws.ssm</c>): detail <c>command-id</c>, <c>document-name</c>,
    /// <c>instance-id</c>, <c>requested-date-time</c>, <c>status</c>; resources the instance's ARN. Shape from the SSM user
    /// guide, "Amazon EventBridge event examples for Systems Manager", Run Command events.
    /// </summary>
    public static string CommandInvocationStatusChange(string id, string account, string region, DateTimeOffset time, string commandId, string documentName,
        string instanceId, DateTimeOffset requestedAt, string status) =>
        Envelope(id, CommandInvocationStatusChangeDetailType, "aws.ssm", account, region, time, [instanceId], new JsonObject
        {
            ["command-id"] = commandId,
            ["document-name"] = documentName,
            ["instance-id"] = instanceId,
            ["requested-date-time"] = requestedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            ["status"] = status,
        });

    /// <summary>Run Command's event for a whole command: detail <c>command-id</c>, <c>document-name</c>, <c>expire-after</c>, <c>parameters</c>, <c>requested-date-time</c>, <c>status</c>; resources the targets' ARNs.</summary>
    public static string CommandStatusChange(string id, string account, string region, DateTimeOffset time, string commandId, string documentName,
        IReadOnlyList<string> instanceIds, DateTimeOffset requestedAt, DateTimeOffset expireAfter, JsonObject parameters, string status) =>
        Envelope(id, CommandStatusChangeDetailType, "aws.ssm", account, region, time, instanceIds, new JsonObject
        {
            ["command-id"] = commandId,
            ["document-name"] = documentName,
            ["expire-after"] = expireAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            ["parameters"] = parameters.DeepClone(),
            ["requested-date-time"] = requestedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            ["status"] = status,
        });

    private static string Envelope(string id, string detailType, string source, string account, string region,
        DateTimeOffset time, string instanceId, JsonObject detail) =>
        Envelope(id, detailType, source, account, region, time, [instanceId], detail);

    private static string Envelope(string id, string detailType, string source, string account, string region,
        DateTimeOffset time, IReadOnlyList<string> instanceIds, JsonObject detail) =>
        new JsonObject
        {
            ["version"] = "0",
            ["id"] = id,
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = account,
            ["time"] = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["region"] = region,
            ["resources"] = new JsonArray([.. instanceIds.Select(i => (JsonNode?)JsonValue.Create($"arn:aws:ec2:{region}:{account}:instance/{i}"))]),
            ["detail"] = detail,
        }.ToJsonString();
}
