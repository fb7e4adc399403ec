using IpsecMesh.Simulator.Sdk;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Pki.Authority;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>The controller's logs as `run` writes them: JSON lines with the per-reconcile scope, and no secret in any of them.</summary>
public sealed class LogSecrecyTests
{
    [Theory]
    [InlineData("HostKey")]
    [InlineData("ControllerKey")]
    public async Task FullEnrolmentLogsJsonWithReconcileScopesAndNoSecret(string enrolmentMode)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:EnrolmentMode"] = enrolmentMode });
        var lines = new List<string>();
        var aws = new SecretRecordingHandler(mesh.Aws.CreateHandler());
        using var host = ControllerHost.Build(mesh.Settings, SimulatedAwsOptions.Create(mesh.Aws), SimulatedAwsOptions.HttpClientFactory(aws), mesh.Time, logging =>
        {
            logging.AddIpsecMeshLogging();
            logging.AddFilter<ConsoleLoggerProvider>(_ => false);
            logging.Services.AddSingleton<ILoggerProvider>(sp =>
                new FormattedLogProvider(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json), lines));
            logging.SetMinimumLevel(LogLevel.Debug);
        });
        var (caPem, caKeyPem) = MakeCa();
        await host.Services.GetRequiredService<CaAdministration>().ImportAsync(caPem, caKeyPem, ct);
        aws.Add(PemBody(caKeyPem));
        var instances = Enumerable.Range(0, 2).Select(_ => mesh.Launch()).ToList();
        await host.StartAsync(ct);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        await host.StopAsync(ct);

        string[] snapshot;
        lock (lines) snapshot = [.. lines];
        var entries = snapshot.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(entries, e => Assert.True(e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _)));
        foreach (var instance in instances)
        {
            Assert.Contains(entries, e => e.TryGetProperty("Scopes", out var scopes) && scopes.EnumerateArray().Any(s =>
                s.ValueKind == JsonValueKind.Object && s.TryGetProperty("InstanceId", out var id) && id.GetString() == instance.InstanceId
                && s.TryGetProperty("ReconcileId", out var reconcile) && reconcile.GetString()!.Length > 0));
        }

        var secrets = SecretFragments(aws.Secrets).ToList();
        if (enrolmentMode == "ControllerKey") Assert.Contains(aws.Secrets, s => s.Length > 500); // a PKCS#12 file was seen
        Assert.True(secrets.Count > 3, "the secrets that crossed were recorded");
        foreach (var line in snapshot)
            foreach (var secret in secrets)
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"a secret fragment appears in a log line: {line[..Math.Min(200, line.Length)]}…");
    }

    /// <summary>Each secret whole, and for long ones every 32-character slice of it (a log line could hold a piece).</summary>
    private static IEnumerable<string> SecretFragments(IEnumerable<string> secrets)
    {
        foreach (var secret in secrets.Distinct(StringComparer.Ordinal))
        {
            yield return secret;
            for (var at = 0; at + 32 <= secret.Length; at += 32) yield return secret.Substring(at, 32);
        }
    }

    private static (string CertificatePem, string KeyPem) MakeCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=log secrecy test CA", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static string PemBody(string pem) =>
        string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));
}
