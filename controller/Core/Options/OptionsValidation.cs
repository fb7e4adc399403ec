using System.Text.RegularExpressions;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Options;

/// <summary>Checks every setting at once and names each bad one, so a misconfigured deployment fails at start with the whole list.</summary>
public static partial class OptionsValidation
{
    /// <summary>The most addresses the host agent accepts in a request's peers file (PEERS_MAX).</summary>
    public const int MaxLatePeers = 1000;

    /// <summary>Every invalid setting as "IpsecMesh:&lt;Setting&gt;: &lt;problem&gt;"; empty when valid.</summary>
    /// <param name="requireAwsResources">Whether the queue, bucket and CA key must be set (the controller; not <c>status</c>).</param>
    public static IReadOnlyList<string> Validate(IpsecMeshOptions options, bool requireAwsResources) =>
        Check(options, requireAwsResources).Select(e => e.Text).ToList();

    /// <summary>Every invalid setting, keyed by the setting (e.g. <c>VpcId</c>, <c>LeaderElection:RetryPeriod</c>).</summary>
    public static IReadOnlyList<SettingError> Check(IpsecMeshOptions options, bool requireAwsResources)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<SettingError>();
        void Error(string key, string message) => errors.Add(new SettingError(key, $"{IpsecMeshOptions.Section}:{key}: {message}"));

        if (!TagKeyPattern().IsMatch(options.TagKey))
            Error(nameof(options.TagKey), $"'{Shorten(options.TagKey)}' is not a usable tag key (1-100 characters of letters, digits and . _ - / + = @, no ':' and not starting with 'aws:')");
        if (!string.IsNullOrEmpty(options.VpcId) && !VpcIdPattern().IsMatch(options.VpcId))
            Error(nameof(options.VpcId), $"'{Shorten(options.VpcId)}' is not a VPC id (expected 'vpc-' and 8 or 17 hexadecimal digits; a VPC name is not accepted)");
        if (requireAwsResources)
        {
            if (string.IsNullOrWhiteSpace(options.QueueUrl)) Error(nameof(options.QueueUrl), "is required (the SQS queue that EventBridge feeds)");
            else if (!Uri.TryCreate(options.QueueUrl, UriKind.Absolute, out _)) Error(nameof(options.QueueUrl), $"'{Shorten(options.QueueUrl)}' is not an absolute URL");
            if (string.IsNullOrWhiteSpace(options.Bucket)) Error(nameof(options.Bucket), "is required (the S3 bucket holding ca/, issued/ and config/)");
            else if (!BucketPattern().IsMatch(options.Bucket)) Error(nameof(options.Bucket), $"'{Shorten(options.Bucket)}' is not a valid S3 bucket name");
            if (string.IsNullOrWhiteSpace(options.CaKmsKeyId)) Error(nameof(options.CaKmsKeyId), "is required (the KMS key protecting the CA key)");
        }
        if (options.EnrolmentMode == EnrolmentMode.ControllerKey && requireAwsResources && string.IsNullOrWhiteSpace(options.HostKmsKeyId))
            Error(nameof(options.HostKmsKeyId), "is required when EnrolmentMode is ControllerKey (it encrypts each host's PKCS#12 password)");
        if (options.HostKeyType is not ("ec" or "rsa"))
            Error(nameof(options.HostKeyType), $"'{Shorten(options.HostKeyType)}' must be 'ec' or 'rsa'");
        if (options.HostMetrics is not (HostMetricsModes.PerInstance or HostMetricsModes.Aggregated))
            Error(nameof(options.HostMetrics), $"'{Shorten(options.HostMetrics)}' must be '{HostMetricsModes.PerInstance}' or '{HostMetricsModes.Aggregated}'");
        if (!string.IsNullOrEmpty(options.SsmDocument) && (!DocumentNamePattern().IsMatch(options.SsmDocument) || options.SsmDocument.StartsWith("AWS-", StringComparison.OrdinalIgnoreCase)))
            Error(nameof(options.SsmDocument), $"'{Shorten(options.SsmDocument)}' is not a document of this account (3-128 letters, digits and _ - .; the controller runs its own agent document only, never AWS-RunShellScript)");
        if (!string.IsNullOrEmpty(options.BucketKmsKeyId) && !KmsKeyArnPattern().IsMatch(options.BucketKmsKeyId))
            Error(nameof(options.BucketKmsKeyId), $"'{Shorten(options.BucketKmsKeyId)}' is not a KMS key ARN (the bucket policy compares the ARN)");
        if (options.CommandTimeout < TimeSpan.FromSeconds(AgentDocument.MinExecutionTimeoutSeconds) || options.CommandTimeout > TimeSpan.FromSeconds(AgentDocument.MaxExecutionTimeoutSeconds)
            || options.CommandTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
            Error(nameof(options.CommandTimeout), $"{options.CommandTimeout} must be whole seconds from {AgentDocument.MinExecutionTimeoutSeconds} s to 48 h (aws:runShellScript's timeoutSeconds takes {AgentDocument.MinExecutionTimeoutSeconds} to {AgentDocument.MaxExecutionTimeoutSeconds}, and runs 3600 s when given anything else)");
        if (options.Workers is < 1 or > 1024) Error(nameof(options.Workers), $"{options.Workers} must be between 1 and 1024");
        if (options.RotationConcurrency is < 1 or > 1024) Error(nameof(options.RotationConcurrency), $"{options.RotationConcurrency} must be between 1 and 1024");
        if (options.RotationSettle < TimeSpan.Zero || options.RotationSettle > TimeSpan.FromMinutes(5))
            Error(nameof(options.RotationSettle), $"{options.RotationSettle} must be between 0 and 5 minutes");
        if (options.LatePeerLimit is < 0 or > MaxLatePeers)
            Error(nameof(options.LatePeerLimit), $"{options.LatePeerLimit} must be between 0 and {MaxLatePeers} (the host agent's limit)");
        if (options.HealthPort is < 0 or > 65535) Error(nameof(options.HealthPort), $"{options.HealthPort} is not a TCP port (0 turns the endpoint off)");

        Positive(nameof(options.ResyncInterval), options.ResyncInterval);
        Positive(nameof(options.ConfigPollInterval), options.ConfigPollInterval);
        Positive(nameof(options.CommandPollInterval), options.CommandPollInterval);
        if (options.CommandSweepInterval < options.CommandPollInterval || options.CommandSweepInterval > TimeSpan.FromHours(1))
            Error(nameof(options.CommandSweepInterval), $"{options.CommandSweepInterval} must be between CommandPollInterval ({options.CommandPollInterval}) and 1 hour");
        Positive(nameof(options.AgentWaitInterval), options.AgentWaitInterval);
        Positive(nameof(options.BackoffBase), options.BackoffBase);
        Positive(nameof(options.HostStatusInterval), options.HostStatusInterval);
        Positive(nameof(options.RolloutWaveTimeout), options.RolloutWaveTimeout);
        if (options.RolloutWaveSoak < TimeSpan.Zero) Error(nameof(options.RolloutWaveSoak), $"{options.RolloutWaveSoak} must not be negative");
        if (RolloutWaves.TryParse(options.RolloutWaves, out _) is { } wavesError) Error(nameof(options.RolloutWaves), $"'{Shorten(options.RolloutWaves)}': {wavesError}");
        if (options.BatchWindow < TimeSpan.Zero || options.BatchWindow > TimeSpan.FromSeconds(10)) Error(nameof(options.BatchWindow), $"{options.BatchWindow} must be between 0 and 10 seconds");
        if (options.BackoffCap < options.BackoffBase) Error(nameof(options.BackoffCap), $"{options.BackoffCap} must not be shorter than BackoffBase ({options.BackoffBase})");
        if (options.CertificateLifetime < TimeSpan.FromMinutes(2)) Error(nameof(options.CertificateLifetime), $"{options.CertificateLifetime} is shorter than the 2-minute minimum");
        if (options.RenewAfter <= TimeSpan.Zero) Error(nameof(options.RenewAfter), $"{options.RenewAfter} must be positive");
        else if (options.RenewAfter >= options.CertificateLifetime)
            Error(nameof(options.RenewAfter), $"{options.RenewAfter} must be shorter than CertificateLifetime ({options.CertificateLifetime}), or certificates expire before they are renewed");

        Positive(nameof(options.ManagedClearWindow), options.ManagedClearWindow);
        if (options.VpcRangesGroup is not ("" or "private-or-clear" or "private"))
            Error(nameof(options.VpcRangesGroup), $"'{Shorten(options.VpcRangesGroup)}' must be 'private-or-clear', 'private' or empty (off)");
        if (ManagedClearExceptions.TryParse(options.ManagedClearExceptions, out _) is { } exceptionsError)
            Error(nameof(options.ManagedClearExceptions), exceptionsError);

        var leader = options.LeaderElection;
        if (leader.Enabled)
        {
            if (leader.RenewDeadline >= leader.LeaseDuration) Error("LeaderElection:RenewDeadline", $"{leader.RenewDeadline} must be shorter than LeaseDuration ({leader.LeaseDuration})");
            if (leader.RetryPeriod <= TimeSpan.Zero || leader.RetryPeriod >= leader.RenewDeadline) Error("LeaderElection:RetryPeriod", $"{leader.RetryPeriod} must be positive and shorter than RenewDeadline ({leader.RenewDeadline})");
            if (string.IsNullOrWhiteSpace(leader.LeaseKey)) Error("LeaderElection:LeaseKey", "must not be empty");
        }
        return errors;

        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero) Error(key, $"{value} must be positive");
        }
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    [GeneratedRegex(@"^(?!aws:)[A-Za-z0-9._\-/+=@]{1,100}$")]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex VpcIdPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_\-.]{3,128}$")]
    private static partial Regex DocumentNamePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$")]
    private static partial Regex KmsKeyArnPattern();
}
