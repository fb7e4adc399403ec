using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace IpsecMesh.Benchmarks.Pki;

/// <summary>
/// <c>openssl speed ecdsap384 rsa4096</c> on this machine, printed beside the benchmark's own raw rates for context
/// only: it is not a denominator (it counts user CPU time by default and signs with its own keys and code path).
/// </summary>
internal static class OpenSslSpeed
{
    public static void Print(TimeSpan budget, IReadOnlyList<LimitFigure> ours)
    {
        var seconds = Math.Max(1, (int)Math.Round(budget.TotalSeconds));
        Console.WriteLine();
        Console.WriteLine($"for context, openssl speed -seconds {seconds} ecdsap384 rsa4096 (rates per second of user CPU time, its own keys):");
        string output;
        try
        {
            using var process = Process.Start(new ProcessStartInfo("openssl", ["version"]) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new Win32Exception("openssl did not start");
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            using var speed = Process.Start(new ProcessStartInfo("openssl", ["speed", "-seconds", seconds.ToString(CultureInfo.InvariantCulture), "ecdsap384", "rsa4096"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new Win32Exception("openssl did not start");
            output = speed.StandardOutput.ReadToEnd();
            speed.StandardError.ReadToEnd();
            speed.WaitForExit();
            Console.WriteLine($"  {version}");
        }
        catch (Win32Exception error)
        {
            Console.WriteLine($"  not run: {error.Message}");
            return;
        }

        foreach (var line in output.Split('\n').Where(line => line.Contains("rsa 4096 bits", StringComparison.Ordinal) || line.Contains("ecdsa (nistp384)", StringComparison.Ordinal)))
        {
            Console.WriteLine($"  {line.Trim()}   (sign/s, verify/s last)");
        }

        foreach (var figure in ours.DistinctBy(figure => figure.Algorithm))
        {
            Console.WriteLine(
                $"  this run's raw {SigningLimit.Describe(figure.Algorithm)} sign: {figure.SignPerSecond:0.0}/s of CPU time with System.Security.Cryptography" +
                $" (OpenSSL underneath), {figure.BouncyCastleSignPerSecond:0.0}/s with BouncyCastle");
        }
    }
}
