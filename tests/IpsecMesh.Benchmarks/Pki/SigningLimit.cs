using System.Diagnostics;
using System.Security.Cryptography;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Signing;

namespace IpsecMesh.Benchmarks.Pki;

/// <summary>
/// Certificate issuance against the machine's limit, measured in one run on one thread: the product's
/// <see cref="MeshCertificateAuthority.SignCsrAsync"/> beside the raw signature rate of the CA's own key
/// (System.Security.Cryptography signing a digest of the CA's hash) and the raw verification rate of a key of the
/// CSRs' kind. The three are measured in interleaved rounds, so that the other load on a shared machine weighs on
/// all of them alike, and counted per second of this process's CPU time (user and system, as <c>openssl speed</c>
/// counts by default), which other processes' load does not stretch the way it stretches the wall clock. The ratios
/// are what to read; wall-clock rates are printed beside them and follow the load. The same CA key's signature rate
/// with BouncyCastle, interleaved too, closes each line: on OpenSSL 3.0, BouncyCastle signs P-384 faster.
/// </summary>
internal static class SigningLimit
{
    private const int Rounds = 12;

    public static async Task<IReadOnlyList<LimitFigure>> RunAsync(IReadOnlyList<IssuanceRig> rigs, TimeSpan budget)
    {
        Console.WriteLine();
        Console.WriteLine($"CSR signing against the CA's raw signature rate (1 thread, {Rounds} interleaved rounds; issuance is MeshCertificateAuthority.SignCsrAsync:");
        Console.WriteLine("CSR checks and verification, serial, TBS, signature, PEM, in-memory registry write, formatted log line; raw sign is a digest of the");
        Console.WriteLine("CA's hash signed with the CA's key, raw verify a SHA-256 digest verified with an already imported key of the CSRs' kind;");
        Console.WriteLine("rates per second of CPU time, then wall-clock rates and ratio, then the same CA key's raw signature rate with BouncyCastle):");
        Console.WriteLine($"  {"CA",-12} {"CSR key",-9} {"raw sign",10} {"raw verify",11} {"issued",9} {"issued/sign",12} {"(rounds)",11} {"issued/(sign+verify)",21}   {"wall: sign",10} {"issued",9} {"ratio",6}   {"BouncyCastle sign",17}");
        var figures = new List<LimitFigure>();
        foreach (var rig in rigs)
        {
            var figure = await MeasureAsync(rig, budget);
            figures.Add(figure);
            Console.WriteLine(
                $"  {Describe(rig.Algorithm),-12} {Describe(rig.CsrKey),-9} {figure.SignPerSecond,8:0.0}/s {figure.VerifyPerSecond,9:0}/s {figure.IssuedPerSecond,7:0.0}/s" +
                $" {figure.IssuedOverSign,11:0%} {figure.LowestRound,5:0%}-{figure.HighestRound,-5:0%} {figure.IssuedOverSignAndVerify,21:0%}" +
                $"   {figure.WallSignPerSecond,8:0.0}/s {figure.WallIssuedPerSecond,7:0.0}/s {figure.WallIssuedPerSecond / figure.WallSignPerSecond,6:0%}" +
                $"   {figure.BouncyCastleSignPerSecond,15:0.0}/s");
        }

        return figures;
    }

    private static async Task<LimitFigure> MeasureAsync(IssuanceRig rig, TimeSpan budget)
    {
        using var caKey = await rig.CaKeyAsync();
        using var bouncyCastleKey = BouncyCastleKey(caKey);
        var caDigest = CryptographicOperations.HashData(CaSignatureAlgorithms.Hash(rig.Algorithm), "to be signed"u8);
        var hostDigest = SHA256.HashData("to be signed"u8);
        var hostSignature = rig.HostKey is ECDsa host
            ? host.SignHash(hostDigest, DSASignatureFormat.Rfc3279DerSequence)
            : ((RSA)rig.HostKey).SignHash(hostDigest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Task Sign(int _)
        {
            var signature = caKey is ECDsa ecdsa
                ? ecdsa.SignHash(caDigest, DSASignatureFormat.Rfc3279DerSequence)
                : ((RSA)caKey).SignHash(caDigest, CaSignatureAlgorithms.Hash(rig.Algorithm), RSASignaturePadding.Pkcs1);
            return signature.Length > 0 ? Task.CompletedTask : throw new InvalidOperationException("an empty signature");
        }

        Task SignWithBouncyCastle(int _) => bouncyCastleKey.SignAsync(caDigest, CancellationToken.None);

        Task Verify(int _)
        {
            var valid = rig.HostKey is ECDsa ecdsa
                ? ecdsa.VerifyHash(hostDigest, hostSignature, DSASignatureFormat.Rfc3279DerSequence)
                : ((RSA)rig.HostKey).VerifyHash(hostDigest, hostSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return valid ? Task.CompletedTask : throw new InvalidOperationException("the raw verification failed");
        }

        // Warm-up: every path past the JIT's tiers before anything counts.
        var warmUp = budget / 10;
        await RunForAsync(Sign, warmUp, 0);
        await RunForAsync(Verify, warmUp, 0);
        await RunForAsync(rig.IssueAsync, warmUp, 0);
        await RunForAsync(SignWithBouncyCastle, warmUp, 0);

        var slice = budget / Rounds;
        Tally sign = default, verify = default, issued = default, bouncyCastle = default;
        double lowest = double.MaxValue, highest = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var signed = await RunForAsync(Sign, slice, sign.Count);
            var verified = await RunForAsync(Verify, slice / 4, verify.Count);
            var issuedNow = await RunForAsync(rig.IssueAsync, slice, issued.Count);
            bouncyCastle += await RunForAsync(SignWithBouncyCastle, slice / 2, bouncyCastle.Count);
            sign += signed;
            verify += verified;
            issued += issuedNow;
            var ratio = issuedNow.PerCpuSecond / signed.PerCpuSecond;
            lowest = Math.Min(lowest, ratio);
            highest = Math.Max(highest, ratio);
        }

        return new LimitFigure(rig.Algorithm, rig.CsrKey, sign.PerCpuSecond, verify.PerCpuSecond, issued.PerCpuSecond, lowest, highest, sign.PerSecond, issued.PerSecond, bouncyCastle.PerCpuSecond);
    }

    /// <summary>The same CA key in BouncyCastle (<see cref="BouncyCastleCaSigningKey"/>, as the library comparison signs).</summary>
    private static BouncyCastleCaSigningKey BouncyCastleKey(AsymmetricAlgorithm caKey)
    {
        var pkcs8 = caKey.ExportPkcs8PrivateKey();
        try
        {
            return BouncyCastleCaSigningKey.Import(pkcs8, caKey.ExportSubjectPublicKeyInfo());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Runs <paramref name="once"/> until <paramref name="duration"/> has passed (at least twice).</summary>
    private static async Task<Tally> RunForAsync(Func<int, Task> once, TimeSpan duration, int start)
    {
        var count = 0;
        var cpu = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration || count < 2)
        {
            await once(start + count);
            count++;
        }

        return new Tally(count, watch.Elapsed, Environment.CpuUsage.TotalTime - cpu);
    }

    public static string Describe(CaAlgorithm algorithm) => algorithm == CaAlgorithm.EcdsaP384 ? "ECDSA P-384" : "RSA-4096";

    public static string Describe(CsrKey key) => key == CsrKey.EcdsaP256 ? "P-256" : "RSA-2048";

    private readonly record struct Tally(int Count, TimeSpan Elapsed, TimeSpan Cpu)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;

        public double PerCpuSecond => Count / Cpu.TotalSeconds;

        public static Tally operator +(Tally left, Tally right) => new(left.Count + right.Count, left.Elapsed + right.Elapsed, left.Cpu + right.Cpu);
    }
}

/// <summary>One CA and CSR kind on one thread: rates per CPU second, issuance per raw signature overall and per round, wall-clock rates.</summary>
internal sealed record LimitFigure(
    CaAlgorithm Algorithm, CsrKey CsrKey, double SignPerSecond, double VerifyPerSecond, double IssuedPerSecond, double LowestRound, double HighestRound,
    double WallSignPerSecond, double WallIssuedPerSecond, double BouncyCastleSignPerSecond)
{
    public double IssuedOverSign => IssuedPerSecond / SignPerSecond;

    /// <summary>Issuance per the raw cost of its two public-key operations: one CA signature and one CSR verification.</summary>
    public double IssuedOverSignAndVerify => IssuedPerSecond * ((1 / SignPerSecond) + (1 / VerifyPerSecond));
}
