using System.Globalization;
using System.Text.RegularExpressions;
using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>c. Certificates rotate on schedule; peers then authenticate the new certificate; loss during rotation is measured.</summary>
public static class RotationScenario
{
    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, TimeSpan rotationTimeout, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("c", "certificate rotation under traffic, at most 1 s lost per direction of every pair");
        var mesh = context.Mesh;
        var pairs = context.MeshPairs().ToList();
        var before = mesh.ToDictionary(h => h, h => context.Tag(h, MeshTags.CertExpiry));
        var capture = await context.Guest.StartCaptureAsync("c-rotation", cancellationToken);
        await context.Guest.StartPingersAsync("c", pairs, PingLoss.Interval, cancellationToken);

        var started = context.Time.GetUtcNow();
        // Redeployed with a RenewAfter just under the youngest certificate's age, the controller finds every certificate
        // due at once (and installs them one host at a time); back to the suite's pace as soon as each host has its new
        // one. A fixed two minutes made the first host due again before a slow machine had rotated the last.
        var youngest = mesh.Select(h => NewNotAfter(context, h) is { } notAfter ? started.UtcDateTime - (notAfter - SuitePolicy.CertificateLifetime) : TimeSpan.Zero).Min();
        var pace = RenewalPace.DueNow(youngest);
        verdict.Figure($"RenewAfter {pace.RenewAfter.TotalSeconds:0}s");
        await context.Controller.RestartAsync(pace, cancellationToken);
        var rotated = await context.WaitForAsync(
            () => mesh.All(h => context.Tag(h, MeshTags.CertExpiry) is { Length: > 0 } now && now != before[h]), rotationTimeout, cancellationToken);
        await context.Controller.RestartAsync(RenewalPace.Never, cancellationToken);
        verdict.Expect(rotated, "not every host got a new certificate: " + string.Join(" ", mesh.Select(h => $"{h.Name}={context.Tag(h, MeshTags.CertExpiry)}")));
        verdict.Figure($"all rotated after {(context.Time.GetUtcNow() - started).TotalSeconds:0}s");
        // Pings go on for a while after the last rotation, so a pair that broke shows as loss.
        await Task.Delay(TimeSpan.FromSeconds(15), context.Time, cancellationToken);

        PingLoss.Judge(verdict, "rotation", await context.Guest.StopPingersAsync("c", pairs, cancellationToken));

        foreach (var host in mesh)
            verdict.Expect(await HoldsCertificateUntilAsync(context, host, cancellationToken), $"{host.Name}'s NSS database does not hold its new certificate");
        // pluto 4.x keeps no peer keys after IKE_AUTH (--listpubkeys shows only its own), so the
        // proof is indirect but tight: every host's pluto holds exactly its new certificate's key
        // (the conns presenting the old one are gone and the old key deleted from NSS), and every
        // pair reached each other over ESP after both rotated, so each peer verified a signature
        // that only the new certificate's public key can verify.
        foreach (var host in mesh)
        {
            var (presents, listed) = await PresentsNewCertificateAsync(context, host, cancellationToken);
            verdict.Expect(presents, $"{host.Name}'s pluto does not present its new certificate ({listed})");
        }
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var tally = Wire.WireTally.Among(packets, mesh.Select(h => h.Address).ToArray());
        verdict.Expect(tally.Cleartext == 0, $"{tally.Cleartext} cleartext packets inside the mesh during rotation");
        verdict.Figure($"wire {tally}");
        return verdict.Outcome();
    }

    /// <summary>The host's certificate in NSS (the one pluto presents) expires when the controller's new IPSec:CertExpiry says.</summary>
    private static async Task<bool> HoldsCertificateUntilAsync(ScenarioContext context, GuestHost host, CancellationToken cancellationToken)
    {
        if (NewNotAfter(context, host) is not { } notAfter) return false;
        // Under the nickname of the conn set in force: on libreswan 4.x a rotation switches sets (ipsec-mesh-host, ipsec-mesh-host~b).
        var listed = await context.Guest.OnHostAsync(host,
            "for n in ipsec-mesh-host 'ipsec-mesh-host~b'; do certutil -L -d sql:/var/lib/ipsec/nss -n \"$n\" 2>/dev/null; done\n", cancellationToken);
        return NotAfterPattern(notAfter, "Not After : ").IsMatch(listed.Stdout);
    }

    /// <summary>The host's pluto holds one private key, the one of the certificate valid until the new notAfter.</summary>
    private static async Task<(bool Presents, string Listed)> PresentsNewCertificateAsync(ScenarioContext context, GuestHost host, CancellationToken cancellationToken)
    {
        if (NewNotAfter(context, host) is not { } notAfter) return (false, "no new notAfter");
        var listed = await context.Guest.OnHostAsync(host, "ipsec whack --listpubkeys\n", cancellationToken);
        // One line per load of the key (4.x lists it again for each conn set loaded, a second apart): the same key counts once.
        var own = listed.Stdout.Split('\n').Where(l => l.Contains("(has private key)", StringComparison.Ordinal)).Select(WithoutLoadTime).Distinct().ToArray();
        var until = NotAfterPattern(notAfter, "until ");
        return (own.Length == 1 && until.IsMatch(own[0]), $"want one key '{until}', have " + string.Join(" | ", own));
    }

    /// <summary>A <c>--listpubkeys</c> line without its leading load time ("000 Dec 01 15:24:08 2026,  256 ECDSA Key …").</summary>
    private static string WithoutLoadTime(string line)
    {
        var trimmed = line.Trim();
        var comma = trimmed.IndexOf(", ", StringComparison.Ordinal);
        return comma < 0 ? trimmed : trimmed[(comma + 2)..].Trim();
    }

    /// <summary>
    /// The tag shows the notAfter to the minute (rounded down); certutil and pluto print it to the second (certutil after
    /// the weekday, "Not After : Tue Dec 08 10:41:37 2026"; pluto "until Dec 08 10:41:37 2026").
    /// </summary>
    private static Regex NotAfterPattern(DateTime minute, string prefix) =>
        new(Regex.Escape(prefix) + @"(?:\w{3} )?" + Regex.Escape(minute.ToString("MMM dd HH:mm:", CultureInfo.InvariantCulture)) + @"\d\d " + minute.Year);

    private static DateTime? NewNotAfter(ScenarioContext context, GuestHost host) =>
        DateTimeOffset.TryParse(context.Tag(host, MeshTags.CertExpiry), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var notAfter)
            ? notAfter.UtcDateTime
            : null;
}
