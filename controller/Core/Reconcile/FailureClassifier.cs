using Amazon.Runtime;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Reconcile;

/// <summary>The one place that decides whether an exception from a reconcile is worth retrying.</summary>
public static class FailureClassifier
{
    public static ReconcileOutcome Classify(Exception exception) => exception switch
    {
        AmazonServiceException aws when AwsCallMeter.IsThrottle(aws) => new ReconcileOutcome.Retry($"throttled by {aws.ErrorCode}"),
        AmazonServiceException aws when (int)aws.StatusCode >= 500 => new ReconcileOutcome.Retry($"AWS {aws.ErrorCode ?? "server error"} ({(int)aws.StatusCode})"),
        AmazonServiceException aws when aws.ErrorCode == "InvalidInstanceId" =>
            new ReconcileOutcome.Retry("SSM refused the instance (InvalidInstanceId): its SSM agent has not registered, or it is not running"),
        AmazonServiceException aws when aws.ErrorCode is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" =>
            new ReconcileOutcome.Retry($"AWS denied {aws.ErrorCode}: check the task role"),
        AmazonServiceException aws => new ReconcileOutcome.Retry($"AWS {aws.ErrorCode ?? aws.GetType().Name} ({(int)aws.StatusCode})"),
        AmazonClientException => new ReconcileOutcome.Retry("AWS client error (network or credentials)"),
        HttpRequestException or TimeoutException or IOException => new ReconcileOutcome.Retry(exception.GetType().Name),
        CsrRejectedException csr => new ReconcileOutcome.Terminal($"CSR rejected: {csr.Message}"),
        AgentProtocolException protocol => new ReconcileOutcome.Terminal($"agent protocol: {protocol.Message}"),
        _ => new ReconcileOutcome.Retry(exception.GetType().Name),
    };
}
