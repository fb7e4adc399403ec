using System.Text;
using System.Text.RegularExpressions;

namespace IpsecMesh.HostAgent.Protocol;

/// <summary>
/// The request file <c>host-certs</c> of a batched <c>install-cert</c>: up to <see cref="MaxEntries"/>
/// hosts' certificates, one line each, <c>&lt;instance-id&gt; &lt;base64 of the PEM certificate&gt;</c>
/// (LF-terminated, instance ids unique). Certificates are public, so one file serves the whole batch;
/// each host takes only the line of its own instance id (the agent learns it from the SSM agent's
/// <c>AWS_SSM_INSTANCE_ID</c>, else IMDSv2) and fails <c>not_in_batch</c> (exit 14) when there is none.
/// </summary>
public static partial class CertificateBatch
{
    public const string FileName = "host-certs";

    /// <summary>SendCommand takes at most 50 instance ids, so a batch never needs more.</summary>
    public const int MaxEntries = 50;

    /// <summary>The file's bytes; throws <see cref="ArgumentException"/> naming the entry for a bad instance id, a repeat or too many entries.</summary>
    public static byte[] Render(IReadOnlyCollection<KeyValuePair<string, string>> certificatesByInstance)
    {
        if (certificatesByInstance.Count is 0 or > MaxEntries)
            throw new ArgumentException($"a certificate batch holds 1 to {MaxEntries} certificates, not {certificatesByInstance.Count}", nameof(certificatesByInstance));
        var text = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (instanceId, pem) in certificatesByInstance.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!InstanceId().IsMatch(instanceId)) throw new ArgumentException($"certificate batch: '{instanceId}' is not an EC2 instance id", nameof(certificatesByInstance));
            if (!seen.Add(instanceId)) throw new ArgumentException($"certificate batch: {instanceId} twice", nameof(certificatesByInstance));
            text.Append(instanceId).Append(' ').Append(Convert.ToBase64String(Encoding.ASCII.GetBytes(pem))).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>
    /// The PEM certificate of <paramref name="instanceId"/>, as the agent reads it: every line checked first.
    /// Throws <see cref="AgentProtocolException"/>: <c>bad_request</c> naming the bad line, <c>not_in_batch</c> when the instance has no entry.
    /// </summary>
    public static string Take(byte[] file, string instanceId)
    {
        string? found = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = Encoding.ASCII.GetString(file).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var match = Line().Match(lines[i]);
            if (!match.Success) throw new AgentProtocolException($"file {FileName} line {i + 1}: not '<instance-id> <base64 certificate>'");
            var id = match.Groups[1].Value;
            if (!seen.Add(id)) throw new AgentProtocolException($"file {FileName} line {i + 1}: {id} a second time");
            if (seen.Count > MaxEntries) throw new AgentProtocolException($"file {FileName} holds more than {MaxEntries} certificates");
            if (id == instanceId) found = match.Groups[2].Value;
        }
        if (found is null) throw new AgentProtocolException($"the certificate batch has no entry for {instanceId}", AgentProtocolException.NotInBatch);
        try
        {
            return Encoding.ASCII.GetString(Convert.FromBase64String(found));
        }
        catch (FormatException)
        {
            throw new AgentProtocolException($"file {FileName}: the entry for {instanceId} is not base64");
        }
    }

    [GeneratedRegex("^i-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceId();

    [GeneratedRegex("^(i-[0-9a-f]{8,17}) ([A-Za-z0-9+/]+={0,2})$")]
    private static partial Regex Line();
}
