using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Authority;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// k. A CA rotation under traffic: <c>ca rotate</c> while every pair pings at 100 ms. Hosts get the two-CA bundle,
/// then certificates of the new CA one host at a time (so for a while hosts on the old CA and on the new one
/// authenticate each other), then the old CA's certificates are revoked and it leaves every host's NSS database. No
/// direction of a pair may lose more than 1 s of pings; nothing goes in clear.
/// </summary>
public static class CaRotationScenario
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly int MaxLostPerDirection = (int)(TimeSpan.FromSeconds(1) / PingInterval);

    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("k", "CA rotation under traffic: two-CA bundle, new-CA certificates, old CA retired; at most 1 s lost per direction");
        var mesh = context.Mesh;
        var pairs = context.MeshPairs().ToList();
        var before = mesh.ToDictionary(h => h, h => context.Tag(h, MeshTags.CertExpiry));
        var oldCaId = await context.Controller.Service<IMeshCertificateAuthority>().GetCurrentCaIdAsync(cancellationToken);
        var capture = await context.Guest.StartCaptureAsync("k-ca-rotation", cancellationToken);
        await context.Guest.StartPingersAsync("k", pairs, PingInterval, cancellationToken);

        var started = context.Time.GetUtcNow();
        var newCaId = (await context.Controller.Service<CaAdministration>().RotateAsync(null, cancellationToken)).CaId;
        var bothTrusted = await WaitForHostsAsync(context, host => TrustsAsync(context, host, [oldCaId, newCaId]), TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(bothTrusted, $"not every host came to trust both CAs ({oldCaId}, {newCaId})");
        var trustedAt = context.Time.GetUtcNow();
        var reissued = await context.WaitForAsync(
            () => mesh.All(h => context.Tag(h, MeshTags.CertExpiry) is { Length: > 0 } now && now != before[h]), TimeSpan.FromMinutes(8), cancellationToken);
        verdict.Expect(reissued, "not every host got a certificate of the new CA: " + string.Join(" ", mesh.Select(h => $"{h.Name}={context.Tag(h, MeshTags.CertExpiry)}")));
        var reissuedAt = context.Time.GetUtcNow();
        var retired = await WaitForHostsAsync(context, host => TrustsAsync(context, host, [newCaId]), TimeSpan.FromMinutes(8), cancellationToken);
        verdict.Expect(retired, $"the old CA {oldCaId} is still in some host's NSS database");
        verdict.Figure($"rotate->both CAs trusted {(trustedAt - started).TotalSeconds:0}s, ->new certificates {(reissuedAt - started).TotalSeconds:0}s, ->old CA gone {(context.Time.GetUtcNow() - started).TotalSeconds:0}s");
        await Task.Delay(TimeSpan.FromSeconds(10), context.Time, cancellationToken);

        var lost = 0;
        var sent = 0;
        foreach (var (from, to, summary) in await context.Guest.StopPingersAsync("k", pairs, cancellationToken))
        {
            lost += summary.Lost;
            sent += summary.Transmitted;
            verdict.Figure($"{from.Name}->{to.Name} lost {summary.Lost}/{summary.Transmitted}");
            verdict.Expect(summary.Transmitted > 0 && summary.Lost <= MaxLostPerDirection,
                $"{from.Name}->{to.Name} lost {summary.Lost} pings of {PingInterval.TotalMilliseconds:0} ms during the CA rotation, more than 1 s");
        }
        verdict.Figure($"CA rotation loss {lost}/{sent} pings");
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var tally = Wire.WireTally.Among(packets, mesh.Select(h => h.Address).ToArray());
        verdict.Expect(tally.Cleartext == 0, $"{tally.Cleartext} cleartext packets inside the mesh during the CA rotation");
        return verdict.Outcome();
    }

    /// <summary>Whether the host's NSS database holds exactly these mesh CAs (the agent's nicknames ipsec-mesh-ca-&lt;id&gt;).</summary>
    private static async Task<bool> TrustsAsync(ScenarioContext context, GuestHost host, string[] caIds)
    {
        var listed = await context.Guest.OnHostAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss | awk '$1 ~ /^ipsec-mesh-ca-/ { print substr($1, 15) }'\n", CancellationToken.None);
        var held = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return held.SetEquals(caIds);
    }

    private static async Task<bool> WaitForHostsAsync(ScenarioContext context, Func<GuestHost, Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = context.Time.GetUtcNow() + timeout;
        while (true)
        {
            var all = true;
            foreach (var host in context.Mesh) all &= await condition(host);
            if (all) return true;
            if (context.Time.GetUtcNow() > deadline) return false;
            await Task.Delay(TimeSpan.FromSeconds(2), context.Time, cancellationToken);
        }
    }
}
