using System.Text.Json;
using System.Text.RegularExpressions;
using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// Parses the EventBridge events the controller subscribes to: EC2's instance state changes, tag
/// changes, and Run Command's command and invocation status changes (source <c>aws.ssm</c>; shapes
/// from the SSM user guide, "Amazon EventBridge event examples for Systems Manager"). Anything else, or anything
/// malformed, yields an error naming what was wrong; the caller logs it with the SQS message id and
/// leaves the message to the dead-letter queue. Never throws on bad input.
/// </summary>
public sealed partial class EventBridgeParser(string tagKey)
{
    public const string StateChangeDetailType = "EC2 Instance State-change Notification";
    public const string TagChangeDetailType = "Tag Change on Resource";
    public const string CommandStatusChangeDetailType = "EC2 Command Status-change Notification";
    public const string CommandInvocationStatusChangeDetailType = "EC2 Command Invocation Status-change Notification";
    public const int MaxBodyChars = 262_144;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public EventParseResult Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return EventParseResult.Invalid("body is empty");
        if (body.Length > MaxBodyChars) return EventParseResult.Invalid($"body is {body.Length} characters, more than an EventBridge event can be");
        JsonDocument document;
        try { document = JsonDocument.Parse(body, DocumentOptions); }
        catch (JsonException e) { return EventParseResult.Invalid($"body is not JSON ({Describe(e)})"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return EventParseResult.Invalid($"body is a JSON {root.ValueKind}, not an EventBridge event object");
            if (!TryString(root, "detail-type", out var detailType, out var error)) return EventParseResult.Invalid(error);
            if (!root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
                return EventParseResult.Invalid("field 'detail' is missing or not an object");
            return detailType switch
            {
                StateChangeDetailType => ParseStateChange(detail),
                TagChangeDetailType => ParseTagChange(root, detail),
                CommandStatusChangeDetailType => ParseCommandStatus(root, detail, invocation: false),
                CommandInvocationStatusChangeDetailType => ParseCommandStatus(root, detail, invocation: true),
                _ => EventParseResult.Invalid($"detail-type '{Shorten(detailType)}' is not one this controller subscribes to"),
            };
        }
    }

    private static EventParseResult ParseStateChange(JsonElement detail)
    {
        if (!TryString(detail, "instance-id", out var instanceId, out var error)) return EventParseResult.Invalid("detail." + error);
        if (!InstanceIdPattern().IsMatch(instanceId)) return EventParseResult.Invalid($"detail.instance-id '{Shorten(instanceId)}' is not an EC2 instance id");
        if (!TryString(detail, "state", out var state, out error)) return EventParseResult.Invalid("detail." + error);
        if (!KnownStates.Contains(state)) return EventParseResult.Invalid($"detail.state '{Shorten(state)}' is not an EC2 instance state");
        return EventParseResult.Ok(new InstanceEvent(instanceId, InstanceEventKind.StateChange, state, ChangedOurTag: false));
    }

    private EventParseResult ParseTagChange(JsonElement root, JsonElement detail)
    {
        if (!TryString(detail, "service", out var service, out var error)) return EventParseResult.Invalid("detail." + error);
        if (!TryString(detail, "resource-type", out var resourceType, out error)) return EventParseResult.Invalid("detail." + error);
        if (service != "ec2" || resourceType != "instance")
            return EventParseResult.Invalid($"tag change on {Shorten(service)} {Shorten(resourceType)}, not on an EC2 instance");
        if (!detail.TryGetProperty("changed-tag-keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            return EventParseResult.Invalid("detail.changed-tag-keys is missing or not an array");
        var changedOurs = false;
        var changedKeys = new List<string>();
        foreach (var key in keys.EnumerateArray())
        {
            if (key.ValueKind != JsonValueKind.String) return EventParseResult.Invalid("detail.changed-tag-keys holds a value that is not a string");
            changedKeys.Add(key.GetString()!);
            changedOurs |= key.GetString() == tagKey;
        }
        if (!TryChangedTags(detail, changedKeys, out var changedTags, out error)) return EventParseResult.Invalid(error);
        if (!root.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array || resources.GetArrayLength() != 1)
            return EventParseResult.Invalid("field 'resources' must be an array with exactly one instance ARN");
        var arn = resources[0];
        if (arn.ValueKind != JsonValueKind.String) return EventParseResult.Invalid("resources[0] is not a string");
        var match = InstanceArnPattern().Match(arn.GetString()!);
        if (!match.Success) return EventParseResult.Invalid($"resources[0] '{Shorten(arn.GetString()!)}' is not an EC2 instance ARN");
        return EventParseResult.Ok(new InstanceEvent(match.Groups["id"].Value, InstanceEventKind.TagChange, null, changedOurs, changedTags));
    }

    /// <summary>
    /// <c>detail.tags</c> holds every tag of the resource after the change (EventBridge, "Tag Change on Resource"); a changed
    /// key missing from it was removed. Absent tags leave <paramref name="changed"/> null: the reconcile then re-reads EC2.
    /// </summary>
    private static bool TryChangedTags(JsonElement detail, List<string> changedKeys, out IReadOnlyDictionary<string, string?>? changed, out string error)
    {
        changed = null;
        error = "";
        if (!detail.TryGetProperty("tags", out var tags)) return true;
        if (tags.ValueKind != JsonValueKind.Object) { error = $"detail.tags is a JSON {tags.ValueKind}, expected an object"; return false; }
        var after = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in changedKeys)
        {
            if (!tags.TryGetProperty(key, out var value)) { after[key] = null; continue; }
            if (value.ValueKind != JsonValueKind.String) { error = $"detail.tags.{Shorten(key)} is a JSON {value.ValueKind}, expected a string"; return false; }
            after[key] = value.GetString();
        }
        changed = after;
        return true;
    }

    /// <summary>detail: <c>command-id</c> (36 characters), <c>document-name</c>, <c>status</c>; an invocation's also <c>instance-id</c>.</summary>
    private static EventParseResult ParseCommandStatus(JsonElement root, JsonElement detail, bool invocation)
    {
        if (!TryString(root, "source", out var source, out var error)) return EventParseResult.Invalid(error);
        if (source != "aws.ssm") return EventParseResult.Invalid($"a Run Command event from source '{Shorten(source)}', not aws.ssm");
        if (!TryString(detail, "command-id", out var commandId, out error)) return EventParseResult.Invalid("detail." + error);
        if (!CommandIdPattern().IsMatch(commandId)) return EventParseResult.Invalid($"detail.command-id '{Shorten(commandId)}' is not an SSM command id");
        if (!TryString(detail, "document-name", out var document, out error)) return EventParseResult.Invalid("detail." + error);
        if (!TryString(detail, "status", out var status, out error)) return EventParseResult.Invalid("detail." + error);
        if (status.Length is 0 or > 32) return EventParseResult.Invalid($"detail.status '{Shorten(status)}' is not a Run Command status");
        string? instanceId = null;
        if (invocation)
        {
            if (!TryString(detail, "instance-id", out var id, out error)) return EventParseResult.Invalid("detail." + error);
            if (!InstanceIdPattern().IsMatch(id)) return EventParseResult.Invalid($"detail.instance-id '{Shorten(id)}' is not an EC2 instance id");
            instanceId = id;
        }
        return EventParseResult.Ok(new CommandEvent(commandId, instanceId, document, status));
    }

    private static bool TryString(JsonElement obj, string name, out string value, out string error)
    {
        value = "";
        error = "";
        if (!obj.TryGetProperty(name, out var element)) { error = $"field '{name}' is missing"; return false; }
        if (element.ValueKind != JsonValueKind.String) { error = $"field '{name}' is a JSON {element.ValueKind}, expected a string"; return false; }
        value = element.GetString()!;
        return true;
    }

    private static string Describe(JsonException e) =>
        e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : "unreadable";

    private static string Shorten(string value)
    {
        var clean = new string([.. value.Take(60).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length <= 60 ? clean : clean + "…";
    }

    private static readonly HashSet<string> KnownStates = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"];

    [GeneratedRegex("^[0-9a-fA-F-]{36}$")]
    private static partial Regex CommandIdPattern();

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    internal static partial Regex InstanceIdPattern();

    [GeneratedRegex("^arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:instance/(?<id>i-([0-9a-f]{8}|[0-9a-f]{17}))$")]
    private static partial Regex InstanceArnPattern();
}
