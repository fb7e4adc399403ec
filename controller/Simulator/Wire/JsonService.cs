using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Wire;

/// <summary>
/// The AWS JSON protocol (SSM, KMS: 1.1; SQS: 1.0): POST, the operation in X-Amz-Target
/// ("AmazonSSM.SendCommand"), a JSON body, errors as {"__type": …, "message": …}.
/// </summary>
internal abstract class JsonService : IAwsService
{
    public abstract string Name { get; }

    protected abstract string TargetPrefix { get; }

    protected virtual string ContentType => "application/x-amz-json-1.1";

    /// <summary>Prepended to error codes in __type (SQS: "com.amazonaws.sqs#").</summary>
    protected virtual string ErrorTypePrefix => "";

    protected abstract string InternalErrorCode { get; }

    public virtual string OperationOf(SimRequest request)
    {
        var target = request.Header("X-Amz-Target") ?? throw new AwsServiceException(400, "MissingAction", "X-Amz-Target is missing");
        var dot = target.LastIndexOf('.');
        if (dot < 0 || target[..dot] != TargetPrefix) throw new AwsServiceException(400, "UnknownOperationException", $"unknown target '{target}'");
        return target[(dot + 1)..];
    }

    public virtual async Task<SimResponse> HandleAsync(string operation, SimRequest request, CancellationToken cancellationToken)
    {
        JsonObject body;
        try
        {
            body = request.Body.Length == 0 ? [] : JsonNode.Parse(request.Body) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            throw new AwsServiceException(400, "SerializationException", "the request body is not JSON");
        }
        var result = await InvokeAsync(operation, new JsonArgs(body), request, cancellationToken);
        return new SimResponse { ContentType = ContentType, Body = Encoding.UTF8.GetBytes(WithoutNulls(result).ToJsonString()) };
    }

    /// <summary>An operation that needs the request itself (SQS: the URLs it hands out name the endpoint the client used).</summary>
    protected virtual Task<JsonObject> InvokeAsync(string operation, JsonArgs args, SimRequest request, CancellationToken cancellationToken) =>
        InvokeAsync(operation, args, cancellationToken);

    protected virtual Task<JsonObject> InvokeAsync(string operation, JsonArgs args, CancellationToken cancellationToken) =>
        throw UnknownOperation(operation);

    /// <summary>AWS omits an absent member (NextToken on the last page, a command without Comment); it never sends null.</summary>
    internal static JsonObject WithoutNulls(JsonObject json)
    {
        foreach (var (name, value) in json.ToArray())
        {
            if (value is null) json.Remove(name);
            else if (value is JsonObject inner) WithoutNulls(inner);
            else if (value is JsonArray array)
                foreach (var item in array.OfType<JsonObject>()) WithoutNulls(item);
        }
        return json;
    }

    public virtual SimResponse FormatError(AwsServiceException error, SimRequest request)
    {
        var body = new JsonObject { ["__type"] = ErrorTypePrefix + error.Code, ["message"] = error.Message };
        var response = new SimResponse { Status = error.Status, ContentType = ContentType, Body = Encoding.UTF8.GetBytes(body.ToJsonString()) };
        AddErrorHeaders(error, response);
        return response;
    }

    /// <summary>Extra headers of an error answer (SQS: x-amzn-query-error, its AWS query protocol code).</summary>
    protected virtual void AddErrorHeaders(AwsServiceException error, SimResponse response)
    {
    }

    public AwsServiceException Throttled() => new(400, "ThrottlingException", "Rate exceeded");

    public AwsServiceException InternalError() => new(500, InternalErrorCode, "We encountered an internal error. Please try again.");

    protected static AwsServiceException UnknownOperation(string operation) =>
        new(400, "UnknownOperationException", $"the simulator does not implement {operation}");

    protected static double Epoch(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}
