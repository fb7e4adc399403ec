using System.Text;

namespace IpsecMesh.Core.Model;

/// <summary>The short human sentences of the status tag, and the sanitizing every sentence goes through.</summary>
public static class StatusText
{
    public const int MaxLength = 250;
    public const string Enrolled = "enrolled";
    public const string WaitingForAgent = "waiting for SSM agent";
    public const string Installing = "installing libreswan";
    public const string InstallingCertificate = "installing certificate";
    public const string ApplyingConfig = "applying config";
    public const string Removing = "removing IPsec";
    public const string Removed = "removed";
    public const string NssRecreated = "the host's NSS database was damaged and re-created; requesting a new certificate";
    public const string ForeignCsrKey = "certificate install failed: the host holds no key for the certificate signed from its own CSR";

    public const string RetryPrefix = "retrying after: ";

    /// <summary>What to do about an install refused for an old libreswan (the host keeps being retried with backoff).</summary>
    public const string UnsupportedVersionAdvice = "; upgrade libreswan to 4.0 or later";

    /// <summary>Appended to a failed removal's reason: the certificate was revoked before the uninstall was tried.</summary>
    public const string RevokedSuffix = "; certificate revoked";

    /// <summary>A removal that waits on the host, after the certificate was revoked.</summary>
    public static string RevokedAnd(string waiting) => "certificate revoked; " + waiting;

    /// <summary>
    /// The status a command's progress writes. A failed instance's retry keeps the failure's reason
    /// visible (the tag stays failed until the retry succeeds) instead of a progress sentence.
    /// </summary>
    public static string WhileRetrying(Observation observation, string progress) =>
        observation.TagValue == TagValues.Failed && !string.IsNullOrWhiteSpace(observation.StatusTag)
            ? observation.StatusTag.StartsWith(RetryPrefix, StringComparison.Ordinal) ? observation.StatusTag : RetryPrefix + observation.StatusTag
            : progress;

    public static string InstanceState(string state) => $"instance is {Clean(state, 20)}; waiting for it to run";

    public static string UnknownValue(string? value) =>
        $"tag value '{Clean(value ?? "", 40)}' is not one of todo, off; ignored";

    /// <summary>Keeps only characters an EC2 tag value accepts, collapses whitespace, bounds the length.</summary>
    public static string Clean(string text, int maxLength = MaxLength)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        var lastWasSpace = false;
        foreach (var c in text)
        {
            if (builder.Length >= maxLength) break;
            var ok = char.IsAsciiLetterOrDigit(c) || " _.:/=+-@,;()'#%".Contains(c, StringComparison.Ordinal);
            var next = ok ? c : ' ';
            if (next == ' ' && (lastWasSpace || builder.Length == 0)) continue;
            builder.Append(next);
            lastWasSpace = next == ' ';
        }
        var result = builder.ToString().TrimEnd();
        return text.Length > maxLength && result.Length >= maxLength - 1 ? result[..(maxLength - 1)] + "~" : result;
    }
}
