using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Keys;
using IpsecMesh.Pki.Signing;
using IpsecMesh.Tests.Shared;

namespace IpsecMesh.Benchmarks.Pki;

/// <summary>
/// Issuance throughput: CSR signing with a P-384 and an RSA-4096 CA, and central key generation for RSA-4096 and
/// ECDSA P-256, each with BouncyCastle and with System.Security.Cryptography; then the product's issuance against the
/// CA key's raw signature rate, where its time goes, and openssl speed for context; then the CPU time spent rejecting
/// each kind of hostile CSR. Prints figures; asserts nothing.
/// </summary>
internal static class PkiBenchmark
{
    private const int CsrCount = 64;

    public static async Task<int> RunAsync(TimeSpan budget)
    {
        Console.WriteLine($"pki benchmark: {Environment.ProcessorCount} cores, {RuntimeInformationText()}, about {budget.TotalSeconds:0} s per figure");
        Console.WriteLine();
        var results = new List<Figure>();
        var csrs = Enumerable.Range(0, CsrCount).Select(_ => HostCsr()).ToArray();
        var identity = new HostIdentity("i-0123456789abcdef0", "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0", "ip-10-0-1-23.eu-west-1.compute.internal", [], [IPAddress.Parse("10.0.1.23"), IPAddress.Parse("10.0.2.7")]);

        foreach (var algorithm in new[] { CaAlgorithm.EcdsaP384, CaAlgorithm.Rsa4096 })
        {
            using var dotNetKey = DotNetCaSigningKey.Generate(algorithm);
            var pkcs8 = dotNetKey.ExportPkcs8();
            using var bouncyKey = BouncyCastleCaSigningKey.Import(pkcs8, dotNetKey.PublicKey.GetDerEncoded());
            CryptographicOperations.ZeroMemory(pkcs8);
            var ca = await SelfSignedAsync(dotNetKey);
            foreach (var key in new ICaSigningKey[] { bouncyKey, dotNetKey })
            {
                var library = key is DotNetCaSigningKey ? "System.Security.Cryptography" : "BouncyCastle";
                results.Add(await MeasureAsync($"CSR signing, {Describe(algorithm)} CA", library, budget, async i =>
                {
                    var csr = csrs[i % csrs.Length];
                    var publicKey = CsrInspector.VerifiedPublicKey(csr, identity.InstanceId);
                    var now = DateTimeOffset.UtcNow;
                    var tbs = HostCertificateTemplate.Build(identity, publicKey, ca, key.SignatureAlgorithm, SerialNumbers.Next(), now.AddMinutes(-5), now.AddDays(30));
                    await SignedStructures.SignCertificateAsync(tbs, key, CancellationToken.None);
                }));
            }
        }

        foreach (var algorithm in new[] { HostKeyAlgorithm.EcdsaP256, HostKeyAlgorithm.Rsa4096 })
        {
            foreach (var generator in new IHostKeyGenerator[] { new BouncyCastleHostKeyGenerator(), new DotNetHostKeyGenerator() })
            {
                results.Add(await MeasureAsync($"key generation, {Describe(algorithm)}", generator.Library, budget, _ =>
                {
                    generator.Generate(algorithm);
                    return Task.CompletedTask;
                }));
            }
        }

        Print(results);
        await PrintLimitAsync(budget);
        PrintRejections(identity.InstanceId);
        return 0;
    }

    /// <summary>
    /// Issuance on the product's path against the raw rates of the CA's key and of the CSRs' keys, for a P-384 and an
    /// RSA-4096 CA and for P-256 and RSA-2048 CSRs (<see cref="SigningLimit"/>), where the time goes (<see cref="IssuanceSteps"/>),
    /// and openssl speed beside it for context.
    /// </summary>
    private static async Task PrintLimitAsync(TimeSpan budget)
    {
        var rigs = new List<IssuanceRig>();
        try
        {
            foreach (var algorithm in new[] { CaAlgorithm.EcdsaP384, CaAlgorithm.Rsa4096 })
            {
                foreach (var csrKey in new[] { CsrKey.EcdsaP256, CsrKey.Rsa2048 })
                {
                    rigs.Add(await IssuanceRig.StartAsync(algorithm, csrKey));
                }
            }

            var figures = await SigningLimit.RunAsync(rigs, budget);
            await IssuanceSteps.PrintAsync(rigs, ecdsaCount: (int)Math.Clamp(budget.TotalSeconds * 300, 50, 3_000));
            OpenSslSpeed.Print(budget, figures);
        }
        finally
        {
            rigs.ForEach(rig => rig.Dispose());
        }
    }

    /// <summary>
    /// The controller CPU time (user + system, whole process) spent refusing each kind of hostile CSR, per CSR, as
    /// <c>CertificateActions</c> and <see cref="CsrInspector"/> do it: the base64 length check before decoding, then the
    /// inspector on the DER. The target is under 50 ms each; printed, never asserted.
    /// </summary>
    private static void PrintRejections(string instanceId)
    {
        const int Rounds = 200;
        Console.WriteLine();
        Console.WriteLine($"rejecting hostile CSRs: controller CPU per CSR, mean of {Rounds} (target: under 50 ms each)");
        foreach (var (kind, der) in HostileCsrs.All())
        {
            var base64 = Convert.ToBase64String(der);
            var reason = Reject(base64, instanceId);
            var before = Environment.CpuUsage.TotalTime;
            for (var round = 0; round < Rounds; round++)
            {
                Reject(base64, instanceId);
            }

            var perCsr = (Environment.CpuUsage.TotalTime - before) / Rounds;
            Console.WriteLine($"  {kind,-60} {perCsr.TotalMilliseconds,8:0.000} ms  ({base64.Length} base64 chars: {reason})");
        }
    }

    /// <returns>Why the CSR was refused (the text after the instance id).</returns>
    private static string Reject(string base64, string instanceId)
    {
        try
        {
            CsrInspector.RequireBase64Length(base64, instanceId);
            CsrInspector.VerifiedPublicKey(Convert.FromBase64String(base64), instanceId);
            throw new InvalidOperationException("a hostile CSR was accepted");
        }
        catch (CsrRejectedException rejected)
        {
            return rejected.Message[(rejected.Message.IndexOf(instanceId, StringComparison.Ordinal) + instanceId.Length + 1)..];
        }
    }

    private static async Task<Figure> MeasureAsync(string operation, string library, TimeSpan budget, Func<int, Task> once)
    {
        await once(0);
        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < budget || count < 2)
        {
            await once(count);
            count++;
        }

        watch.Stop();
        var figure = new Figure(operation, library, count, watch.Elapsed);
        Console.WriteLine($"  {figure.Operation,-34} {figure.Library,-30} {figure.PerSecond,10:0.00} /s  ({figure.Count} in {figure.Elapsed.TotalSeconds:0.00} s)");
        return figure;
    }

    private static void Print(List<Figure> results)
    {
        Console.WriteLine();
        Console.WriteLine("faster library per operation (the product signs with System.Security.Cryptography; FastestHostKeyGenerator");
        Console.WriteLine("makes RSA-4096 keys with System.Security.Cryptography and ECDSA P-256 keys with BouncyCastle):");
        foreach (var group in results.GroupBy(result => result.Operation))
        {
            var ordered = group.OrderByDescending(result => result.PerSecond).ToList();
            var ratio = ordered[0].PerSecond / ordered[^1].PerSecond;
            Console.WriteLine($"  {group.Key,-34} {ordered[0].Library,-30} x{ratio:0.0}");
        }
    }

    private static async Task<Org.BouncyCastle.X509.X509Certificate> SelfSignedAsync(ICaSigningKey key)
    {
        var now = DateTimeOffset.UtcNow;
        var tbs = CaCertificateTemplate.Build(CaSubjects.For("benchmark CA", key.PublicKey), key.PublicKey, key.SignatureAlgorithm, SerialNumbers.Next(), now, now.AddYears(1), []);
        return await SignedStructures.SignCertificateAsync(tbs, key, CancellationToken.None);
    }

    private static byte[] HostCsr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=host", key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    private static string Describe(CaAlgorithm algorithm) => algorithm == CaAlgorithm.EcdsaP384 ? "ECDSA P-384" : "RSA-4096";

    private static string Describe(HostKeyAlgorithm algorithm) => algorithm == HostKeyAlgorithm.EcdsaP256 ? "ECDSA P-256" : "RSA-4096";

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    private sealed record Figure(string Operation, string Library, int Count, TimeSpan Elapsed)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;
    }
}
