using System.Collections.Concurrent;
using System.Diagnostics;
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
    private readonly ConcurrentDictionary<long, (string Api, long StartedAt)> _inFlight = new();
    private long _nextCall;

    /// <summary>Calls being answered now, oldest first, with their wall-clock age: what a hung run was doing.</summary>
    public IReadOnlyList<(string Api, TimeSpan Age)> InFlight() =>
        _inFlight.Values.OrderBy(c => c.StartedAt).Select(c => (c.Api, Stopwatch.GetElapsedTime(c.StartedAt))).ToArray();

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
            var error = service.FormatError(e, request);
            AddRequestId(service, request, error);
            return error;
        }
        var api = $"{service.Name}:{operation}";
        var call = Interlocked.Increment(ref _nextCall);
        _inFlight[call] = (api, Stopwatch.GetTimestamp());
        try
        {
            var response = await AnswerAsync(service, operation, api, request, cancellationToken);
            AddRequestId(service, request, response);
            return response;
        }
        finally
        {
            _inFlight.TryRemove(call, out _);
        }
    }

    /// <summary>Every answer carries its request id where the service's clients look for it.</summary>
    private static void AddRequestId(IAwsService service, SimRequest request, SimResponse response)
    {
        if (service.Name == "s3")
        {
            response.Headers["x-amz-request-id"] = request.RequestId;
            response.Headers["x-amz-id-2"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(request.RequestId));
        }
        else
        {
            response.Headers["x-amzn-RequestId"] = request.RequestId;
        }
    }

    private async Task<SimResponse> AnswerAsync(IAwsService service, string operation, string api, SimRequest request, CancellationToken cancellationToken)
    {
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
                "AWSEvents" => "events",
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
