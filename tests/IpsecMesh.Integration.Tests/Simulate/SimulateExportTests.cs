using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IpsecMesh.Simulation;

namespace IpsecMesh.Integration.Tests.Simulate;

public class SimulateExportTests
{
    [Fact]
    public async Task Exported_certificates_chain_to_the_exported_ca_and_carry_exactly_the_names_in_instances_json()
    {
        var directory = Directory.CreateTempSubdirectory("ipsec-mesh-export-").FullName;
        try
        {
            var settings = new SimulationSettings { Instances = 12, Seed = 3, Speed = 60, Json = true, ExportDirectory = directory, WallTimeout = TimeSpan.FromMinutes(3) };
            var report = await new SimulationRun(settings, TextWriter.Null).RunAsync(TestContext.Current.CancellationToken);

            Assert.True(report.Converged);
            Assert.Equal(12, report.Phases["enabled"]);
            Assert.Contains("ipsec_mesh.instances{phase=enabled}", report.Metrics.Keys);
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "instances.json"), TestContext.Current.CancellationToken));
            var instances = document.RootElement.EnumerateArray().ToList();
            Assert.Equal(12, instances.Count);
            foreach (var instance in instances)
            {
                var id = instance.GetProperty("id").GetString()!;
                var pem = Path.Combine(directory, "issued", id + ".pem");
                Assert.Equal("enabled", instance.GetProperty("phase").GetString());
                Assert.Equal(0, Openssl("verify", "-CAfile", Path.Combine(directory, "ca.pem"), pem).ExitCode);

                using var cert = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pem, TestContext.Current.CancellationToken));
                var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
                var expectedIps = instance.GetProperty("privateIps").EnumerateArray().Select(e => IPAddress.Parse(e.GetString()!)).ToHashSet();
                var expectedNames = instance.GetProperty("privateDnsNames").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);
                Assert.Equal(expectedIps, san.EnumerateIPAddresses().ToHashSet());
                Assert.Equal(expectedNames, san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase));
                Assert.Equal($"CN={expectedNames.First()}", cert.Subject);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Openssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
