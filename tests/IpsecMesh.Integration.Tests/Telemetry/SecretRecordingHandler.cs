using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>
/// Sits between the controller's AWS clients and the simulated AWS and keeps every secret that crosses:
/// KMS plaintexts (CA envelope data keys, PKCS#12 passwords) and the PKCS#12 files (holding host private keys) sent to hosts,
/// which travel in the input files the controller writes to the bucket's hosts/inputs/.
/// </summary>
public sealed partial class SecretRecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<string> _secrets = [];

    public IReadOnlyList<string> Secrets { get { lock (_secrets) return [.. _secrets]; } }

    public void Add(string secret)
    {
        lock (_secrets) _secrets.Add(secret);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.FirstOrDefault() ?? "" : "";
        if (request.Method == HttpMethod.Put && request.RequestUri?.AbsolutePath.Contains("/hosts/inputs/", StringComparison.Ordinal) == true
            && request.Content is { } content)
        {
            foreach (Match file in Pkcs12File().Matches(await content.ReadAsStringAsync(cancellationToken))) Add(file.Groups[1].Value);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (target.StartsWith("TrentService.", StringComparison.Ordinal))
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (JsonNode.Parse(body) is JsonObject json && json["Plaintext"]?.GetValue<string>() is { } plaintext)
            {
                Add(plaintext);
                Add(Convert.ToHexString(Convert.FromBase64String(plaintext)));
            }
            var headers = response.Content.Headers.ToList();
            response.Content = new StringContent(body);
            response.Content.Headers.Clear();
            foreach (var (name, values) in headers) response.Content.Headers.TryAddWithoutValidation(name, values);
        }
        return response;
    }

    [GeneratedRegex(@"file host\.p12 ([A-Za-z0-9+/=]{16,})")]
    private static partial Regex Pkcs12File();
}
