using System.Diagnostics;
using Amazon.Runtime;

namespace IpsecMesh.Core.Telemetry;

/// <summary>
/// Wraps every AWS call of the controller's EC2, SSM and SQS clients (put into the SDK pipeline by
/// <see cref="AwsCallMeterPipeline"/>): a child span named service.operation, and one count by service, operation and
/// outcome (ok, throttled, error) after the SDK's own retries.
/// </summary>
public sealed class AwsCallMeter(IpsecMeshTelemetry telemetry)
{
    private static readonly HashSet<string> ThrottleCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException", "LimitExceededException",
    };

    public async Task<T> CallAsync<T>(string service, string operation, Func<Task<T>> call)
    {
        using var activity = StartCallActivity($"{service}.{operation}");
        activity?.SetTag("rpc.system", "aws-api");
        activity?.SetTag("rpc.service", service);
        activity?.SetTag("rpc.method", operation);
        try
        {
            var result = await call();
            Count(service, operation, "ok");
            return result;
        }
        catch (AmazonServiceException e)
        {
            var outcome = IsThrottle(e) ? "throttled" : "error";
            Count(service, operation, outcome);
            activity?.SetStatus(ActivityStatusCode.Error, e.ErrorCode);
            activity?.SetTag("error.type", e.ErrorCode ?? e.GetType().Name);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Count(service, operation, "error");
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            activity?.SetTag("error.type", e.GetType().Name);
            throw;
        }
    }

    private Activity? StartCallActivity(string name)
    {
        if (BatchTrace.Current is not { } submitters) return telemetry.Source.StartActivity(name, ActivityKind.Client);
        if (submitters.Count == 1) return telemetry.Source.StartActivity(name, ActivityKind.Client, submitters[0]);
        // One call serving several reconciles belongs to none of them: a root span linked to each.
        // Clearing Activity.Current here stays inside this async call and does not reach the caller.
        Activity.Current = null;
        var links = submitters.Take(BatchTrace.MaxLinks).Select(c => new ActivityLink(c));
        var activity = telemetry.Source.StartActivity(name, ActivityKind.Client, default(ActivityContext), links: links);
        activity?.SetTag("batch.submitters", submitters.Count);
        return activity;
    }

    public static bool IsThrottle(AmazonServiceException e) => ThrottleCodes.Contains(e.ErrorCode ?? "") || (int)e.StatusCode == 429;

    private void Count(string service, string operation, string outcome)
    {
        telemetry.AwsCalls.Add(1, new TagList { { "service", service }, { "operation", operation }, { "outcome", outcome } });
    }
}
