using System.Runtime.InteropServices;
using System.Security.Cryptography;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Signing;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Pkcs;

namespace IpsecMesh.Benchmarks.Pki;

/// <summary>
/// Where an issuance's time goes: the steps of <see cref="MeshCertificateAuthority.SignCsrAsync"/> replayed one by
/// one on the same objects, each timed with this thread's CPU clock (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>, which
/// other processes' load does not stretch the way it stretches the wall clock), after as many warm-up rounds.
/// A replay: keep it in step with MeshCertificateAuthority and CsrInspector.
/// </summary>
internal static class IssuanceSteps
{
    private static readonly string[] Names =
    [
        "CSR parse (BouncyCastle)", "CSR key policy", "CSR signature (import + verify)", "CA snapshot and key", "serial", "TBS build",
        "TBS DER encoding", "CA signature (hash + sign)", "certificate DER assembly", "record (names hash, PEM)", "registry write (in memory)", "log line",
    ];

    public static async Task PrintAsync(IReadOnlyList<IssuanceRig> rigs, int ecdsaCount)
    {
        var columns = new List<(string Title, double[] Micros, double Total, double RawSign)>();
        foreach (var rig in rigs)
        {
            var count = rig.Algorithm == CaAlgorithm.EcdsaP384 ? ecdsaCount : Math.Max(ecdsaCount / 4, 2);
            var (totals, raw) = await MeasureAsync(rig, count);
            var micros = totals.Select(nanoseconds => nanoseconds / 1e3 / count).ToArray();
            columns.Add(($"{(rig.Algorithm == CaAlgorithm.EcdsaP384 ? "P-384" : "RSA-4096")} CA, {(rig.CsrKey == CsrKey.EcdsaP256 ? "P-256" : "RSA-2048")} CSR", micros, micros.Sum(), raw / 1e3 / count));
        }

        Console.WriteLine();
        Console.WriteLine("where an issuance's time goes: MeshCertificateAuthority.SignCsrAsync replayed step by step, us of thread CPU per certificate (share):");
        Console.WriteLine($"  {"step",-32}" + string.Concat(columns.Select(column => $" {column.Title,24}")));
        for (var step = 0; step < Names.Length; step++)
        {
            Console.WriteLine($"  {Names[step],-32}" + string.Concat(columns.Select(column => $" {column.Micros[step],12:0.0} us ({column.Micros[step] / column.Total,4:0%})")));
        }

        Console.WriteLine($"  {"total",-32}" + string.Concat(columns.Select(column => $" {column.Total,12:0.0} us       ")));
        Console.WriteLine($"  {"raw CA signature, same rounds",-32}" + string.Concat(columns.Select(column => $" {column.RawSign,12:0.0} us ({column.RawSign / column.Total,4:0%})")));
    }

    private static async Task<(long[] Totals, long RawSign)> MeasureAsync(IssuanceRig rig, int count)
    {
        var totals = new long[Names.Length];
        long rawSign = 0;
        using var caKey = await rig.CaKeyAsync();
        var digest = CryptographicOperations.HashData(CaSignatureAlgorithms.Hash(rig.Algorithm), "to be signed"u8);
        var times = new long[Names.Length + 1];
        for (var i = -count; i < count; i++)
        {
            var csrDer = rig.Csrs[(i + count) % rig.Csrs.Count];
            times[0] = ThreadCpu.Nanoseconds();
            var request = new Pkcs10CertificationRequest(csrDer);
            var publicKey = request.GetCertificationRequestInfo().SubjectPublicKeyInfo;
            times[1] = ThreadCpu.Nanoseconds();
            CsrKeyPolicy.RequireAcceptable(publicKey, IssuanceRig.Identity.InstanceId);
            times[2] = ThreadCpu.Nanoseconds();
            if (!CsrSignature.Verify(request, publicKey))
            {
                throw new InvalidOperationException("a CSR of the benchmark did not verify");
            }

            times[3] = ThreadCpu.Nanoseconds();
            var (ca, key) = await rig.CurrentCaAsync();
            times[4] = ThreadCpu.Nanoseconds();
            var serial = SerialNumbers.Next();
            times[5] = ThreadCpu.Nanoseconds();
            var now = DateTimeOffset.UtcNow;
            var tbs = HostCertificateTemplate.Build(IssuanceRig.Identity, publicKey, ca.Certificate, key.SignatureAlgorithm, serial, now.AddMinutes(-5), now.AddDays(30));
            times[6] = ThreadCpu.Nanoseconds();
            var tbsDer = tbs.GetEncoded(Asn1Encodable.Der);
            times[7] = ThreadCpu.Nanoseconds();
            var signature = await key.SignAsync(tbsDer, CancellationToken.None);
            times[8] = ThreadCpu.Nanoseconds();
            var certificateDer = SignedStructures.Assemble(tbsDer, key.SignatureAlgorithm, signature);
            times[9] = ThreadCpu.Nanoseconds();
            var issued = new IssuedCertificate(
                IssuanceRig.Identity.InstanceId, SerialNumbers.ToHex(serial), now, now.AddDays(30), IssuanceRig.Identity.NamesHash, ca.CaId, Pem.OfCertificate(certificateDer));
            times[10] = ThreadCpu.Nanoseconds();
            await rig.RecordAsync(issued);
            times[11] = ThreadCpu.Nanoseconds();
            PkiLog.CertificateIssued(rig.Logger, issued.InstanceId, issued.SerialHex, "benchmark", ca.CaId, issued.NotAfter, issued.NamesHash);
            times[12] = ThreadCpu.Nanoseconds();
            var raw = caKey is ECDsa ecdsa
                ? ecdsa.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence)
                : ((RSA)caKey).SignHash(digest, CaSignatureAlgorithms.Hash(rig.Algorithm), RSASignaturePadding.Pkcs1);
            var rawEnd = ThreadCpu.Nanoseconds();
            if (i >= 0 && raw.Length > 0)
            {
                for (var step = 0; step < Names.Length; step++)
                {
                    totals[step] += times[step + 1] - times[step];
                }

                rawSign += rawEnd - times[12];
            }
        }

        return (totals, rawSign);
    }

    /// <summary>This thread's CPU time in nanoseconds (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>).</summary>
    private static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        public static long Nanoseconds() =>
            ClockGetTime(ClockThreadCpuTimeId, out var time) == 0
                ? (time.Seconds * 1_000_000_000) + time.Nanoseconds
                : throw new PlatformNotSupportedException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }
    }
}
