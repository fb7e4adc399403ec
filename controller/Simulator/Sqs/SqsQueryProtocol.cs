using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.Sqs;

/// <summary>
/// SQS's older AWS query protocol (form POST with <c>Action=…</c>, XML answers), which clients built before SQS moved to
/// JSON still speak (the AWS CLI 2.9 of Debian 12, boto3 before 1.31): requests are read into the JSON protocol's shapes,
/// answers and errors written back as SQS's XML, so one implementation serves both protocols.
/// </summary>
internal static class SqsQueryProtocol
{
    private static readonly XNamespace Ns = "http://queue.amazonaws.com/doc/2012-11-05/";

    public static bool IsQuery(SimRequest request) => request.Header("X-Amz-Target") is null;

    public static IReadOnlyDictionary<string, string> Form(SimRequest request) =>
        FormDecoder.Decode(request.Body.Length > 0 ? Encoding.UTF8.GetString(request.Body) : request.RawQuery);

    /// <summary>The form's flattened members ("AttributeName.1", "MessageAttribute.2.Value.StringValue", …) as the JSON request body.</summary>
    public static JsonObject ToJson(IReadOnlyDictionary<string, string> form)
    {
        var json = new JsonObject();
        foreach (var name in new[] { "QueueUrl", "QueueName", "QueueNamePrefix", "MessageBody", "ReceiptHandle", "NextToken", "ReceiveRequestAttemptId" })
            if (form.TryGetValue(name, out var value)) json[name] = value;
        foreach (var name in new[] { "MaxNumberOfMessages", "WaitTimeSeconds", "VisibilityTimeout", "DelaySeconds", "MaxResults" })
            if (form.TryGetValue(name, out var value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) json[name] = number;
            else if (form.ContainsKey(name)) throw SqsErrors.InvalidParameter($"Value {form[name]} for parameter {name} is invalid.");
        Strings(form, "AttributeName", json, "AttributeNames");
        Strings(form, "MessageSystemAttributeName", json, "MessageSystemAttributeNames");
        Strings(form, "MessageAttributeName", json, "MessageAttributeNames");
        if (Map(form, "Attribute") is { Count: > 0 } attributes) json["Attributes"] = attributes;
        if (Map(form, "Tag") is { Count: > 0 } tags) json["tags"] = tags;
        if (MessageAttributes(form, "MessageAttribute") is { Count: > 0 } messageAttributes) json["MessageAttributes"] = messageAttributes;
        foreach (var batch in new[] { "SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry" })
        {
            var entries = new JsonArray();
            for (var i = 1; form.ContainsKey($"{batch}.{i}.Id"); i++)
            {
                var prefix = $"{batch}.{i}.";
                var entry = ToJson(form.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .ToDictionary(f => f.Key[prefix.Length..], f => f.Value, StringComparer.Ordinal));
                entry["Id"] = form[prefix + "Id"];
                entries.Add(entry);
            }
            if (entries.Count > 0) json["Entries"] = entries;
        }
        return json;
    }

    private static void Strings(IReadOnlyDictionary<string, string> form, string prefix, JsonObject json, string name)
    {
        var values = new JsonArray();
        for (var i = 1; form.TryGetValue($"{prefix}.{i}", out var value); i++) values.Add(value);
        if (values.Count > 0) json[name] = values;
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> form, string prefix)
    {
        var map = new JsonObject();
        for (var i = 1; form.TryGetValue($"{prefix}.{i}.Name", out var name) || form.TryGetValue($"{prefix}.{i}.Key", out name); i++)
            map[name] = form.GetValueOrDefault($"{prefix}.{i}.Value") ?? "";
        return map;
    }

    private static JsonObject MessageAttributes(IReadOnlyDictionary<string, string> form, string prefix)
    {
        var map = new JsonObject();
        for (var i = 1; form.TryGetValue($"{prefix}.{i}.Name", out var name); i++)
        {
            var value = new JsonObject { ["DataType"] = form.GetValueOrDefault($"{prefix}.{i}.Value.DataType") ?? "String" };
            if (form.TryGetValue($"{prefix}.{i}.Value.StringValue", out var text)) value["StringValue"] = text;
            if (form.TryGetValue($"{prefix}.{i}.Value.BinaryValue", out var binary)) value["BinaryValue"] = binary;
            map[name] = value;
        }
        return map;
    }

    /// <summary>A JSON protocol answer as the query protocol's XML: <c>&lt;OpResponse&gt;&lt;OpResult&gt;…&lt;ResponseMetadata&gt;&lt;RequestId&gt;</c>.</summary>
    public static SimResponse Answer(string operation, JsonObject result, string requestId)
    {
        var content = new List<XElement>();
        foreach (var (name, node) in result)
        {
            if (node is null) continue;
            content.AddRange(Members(operation, name, node));
        }
        var document = new XElement(Ns + operation + "Response",
            content.Count > 0 || operation is not ("DeleteMessage" or "PurgeQueue" or "ChangeMessageVisibility" or "DeleteQueue" or "SetQueueAttributes" or "TagQueue")
                ? new XElement(Ns + operation + "Result", content) : null,
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId)));
        return Xml(200, document);
    }

    private static IEnumerable<XElement> Members(string operation, string name, JsonNode node) => (name, node) switch
    {
        ("Messages", JsonArray messages) => messages.OfType<JsonObject>().Select(m => new XElement(Ns + "Message", m.SelectMany(p => p.Value is null ? [] : Members(operation, p.Key, p.Value)))),
        ("QueueUrls", JsonArray urls) => urls.Select(u => new XElement(Ns + "QueueUrl", u?.GetValue<string>())),
        ("Successful", JsonArray entries) => entries.OfType<JsonObject>().Select(e => new XElement(Ns + operation + "ResultEntry", e.SelectMany(p => p.Value is null ? [] : Members(operation, p.Key, p.Value)))),
        ("Failed", JsonArray entries) => entries.OfType<JsonObject>().Select(e => new XElement(Ns + "BatchResultErrorEntry", e.SelectMany(p => p.Value is null ? [] : Members(operation, p.Key, p.Value)))),
        ("Attributes", JsonObject map) => map.Select(a => new XElement(Ns + "Attribute", new XElement(Ns + "Name", a.Key), new XElement(Ns + "Value", a.Value?.GetValue<string>()))),
        ("MessageAttributes", JsonObject map) => map.Select(a => new XElement(Ns + "MessageAttribute", new XElement(Ns + "Name", a.Key),
            new XElement(Ns + "Value", (a.Value as JsonObject ?? []).Select(v => new XElement(Ns + v.Key, v.Value?.ToString()))))),
        (_, JsonValue value) => [new XElement(Ns + name, value.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : value.ToString())],
        _ => [],
    };

    public static SimResponse Error(AwsServiceException error, string requestId)
    {
        var code = SqsErrors.QueryError(error).Split(';');
        var document = new XElement(Ns + "ErrorResponse",
            new XElement(Ns + "Error", new XElement(Ns + "Type", code[1]), new XElement(Ns + "Code", code[0]), new XElement(Ns + "Message", error.Message), new XElement(Ns + "Detail")),
            new XElement(Ns + "RequestId", requestId));
        return Xml(error.Status, document);
    }

    private static SimResponse Xml(int status, XElement document) =>
        new() { Status = status, ContentType = "text/xml", Body = Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting)) };
}
