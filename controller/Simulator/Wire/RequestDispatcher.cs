using System.Text.RegularExpressions;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Throttling;

namespace IpsecMesh.Simulator.Wire;

/// <summary>
/// The pipeline every call goes through: find the service (SigV4 credential scope, else X-Amz-Target),
/// count the call, inject faults, apply the token bucket, run the operation, format errors the way
/// the service does. Signatures are not verified.
/// </summary>
internal sealed partial class RequestDispatcher(
    IReadOnlyList<IAwsService> services,
    ApiCallCounters calls,
    Throttler throttler,
    FaultOptions faults,
    SeededRandom random,
    TimeProvider time)
{
    private readonly Dictionary<string, IAwsService> _byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, int> _forcedThrottles = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>Makes the next <paramref name="count"/> calls of one API answer with a throttling error.</summary>
    public void ThrottleNext(string api, int count)
    {
        lock (_sync) _forcedThrottles[api] = _forcedThrottles.GetValueOrDefault(api) + count;
    }

    public async Task<SimResponse> DispatchAsync(SimRequest request, CancellationToken cancellationToken)
    {
        var service = ServiceOf(request);
        if (service is null)
            return SimResponse.Text(400, "text/plain", "the simulator cannot tell which AWS service this request is for");
        string operation;
        try
        {
            operation = service.OperationOf(request);
        }
        catch (AwsServiceException e)
        {
            calls.Record($"{service.Name}:Unknown", ApiCallOutcome.Error);
            return service.FormatError(e, request);
        }
        var api = $"{service.Name}:{operation}";
        if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, time, cancellationToken);
        if (TakeForcedThrottle(api) || random.Chance(faults.ThrottleProbability) || !throttler.TryAdmit(api))
        {
            calls.Record(api, ApiCallOutcome.Throttled);
            return service.FormatError(service.Throttled(), request);
        }
        if (random.Chance(faults.ServerErrorProbability))
        {
            calls.Record(api, ApiCallOutcome.Error);
            return service.FormatError(service.InternalError(), request);
        }
        try
        {
            var response = await service.HandleAsync(operation, request, cancellationToken);
            calls.Record(api, response.Status < 400 || response.Status == 304 ? ApiCallOutcome.Ok : ApiCallOutcome.Error);
            return response;
        }
        catch (AwsServiceException e)
        {
            calls.Record(api, ApiCallOutcome.Error);
            return service.FormatError(e, request);
        }
    }

    private bool TakeForcedThrottle(string api)
    {
        lock (_sync)
        {
            if (!_forcedThrottles.TryGetValue(api, out var left) || left <= 0) return false;
            _forcedThrottles[api] = left - 1;
            return true;
        }
    }

    private IAwsService? ServiceOf(SimRequest request)
    {
        var authorization = request.Header("Authorization");
        if (authorization is not null)
        {
            var scope = CredentialScope().Match(authorization);
            if (scope.Success && _byName.TryGetValue(scope.Groups["service"].Value, out var byScope)) return byScope;
        }
        var target = request.Header("X-Amz-Target");
        if (target is not null)
        {
            var prefix = target.Split('.')[0];
            var name = prefix switch
            {
                "AmazonSSM" => "ssm",
                "TrentService" => "kms",
                "AmazonSQS" => "sqs",
                _ => null,
            };
            if (name is not null && _byName.TryGetValue(name, out var byTarget)) return byTarget;
        }
        if (request.Method == "POST" && request.BodyText.Contains("Action=", StringComparison.Ordinal)) return _byName.GetValueOrDefault("ec2");
        return _byName.GetValueOrDefault("s3");
    }

    [GeneratedRegex(@"Credential=[^/]*/\d{8}/[^/]+/(?<service>[a-z0-9-]+)/aws4_request")]
    private static partial Regex CredentialScope();
}
