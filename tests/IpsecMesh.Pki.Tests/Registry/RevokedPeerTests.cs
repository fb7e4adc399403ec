using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests.Registry;

/// <summary>Revocation records carry the addresses the certificate named, which hosts cut once the CRL is in force.</summary>
public sealed class RevokedPeerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_revoked_certificates_addresses_are_in_its_record_and_listed_for_a_day()
    {
        using var pki = await PkiFixture.StartAsync();
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.23", "2a05:d018:1:2::17"), "enrol", Ct);

        await pki.Registry.RevokeAsync(["i-0aaaa"], "opted out", Ct);

        var key = RegistryLayout.RevocationRecordKey(issued);
        var body = RevocationRecordBody.TryParse((await pki.Store.GetAsync(key, Ct))!.Content)!;
        Assert.Equal(["10.0.1.23", "2a05:d018:1:2::17"], body.Addresses);
        Assert.Null(body.StillHeld);
        Assert.Equal([new RevokedPeer(issued.SerialHex, "10.0.1.23"), new RevokedPeer(issued.SerialHex, "2a05:d018:1:2::17")],
            await pki.Registry.RecentRevocationsAsync(TimeSpan.FromHours(24), Ct));

        pki.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        Assert.Empty(await pki.Registry.RecentRevocationsAsync(TimeSpan.FromHours(24), Ct));
    }

    [Fact]
    public async Task A_superseded_certificate_cuts_only_the_addresses_its_instance_lost()
    {
        using var pki = await PkiFixture.StartAsync();
        var old = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.23", "10.0.2.7"), "enrol", Ct);
        var moved = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.23", "10.0.3.3"), "names", Ct);

        Assert.Equal([old.SerialHex], (await pki.Registry.RevokeSupersededAsync(moved, Ct)).Select(c => c.SerialHex));

        // 10.0.2.7 may now be another instance's: SAs under it are cut; 10.0.1.23 is still this instance's, with its new certificate.
        Assert.Equal([new RevokedPeer(old.SerialHex, "10.0.2.7")], await pki.Registry.RecentRevocationsAsync(TimeSpan.FromHours(24), Ct));
    }
}
