using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Tests;

public sealed class RevocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(CaAlgorithm.EcdsaP384)]
    [InlineData(CaAlgorithm.Rsa4096)]
    public async Task Crl_revokes_every_certificate_of_the_instance_and_openssl_rejects_them(CaAlgorithm algorithm)
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync(algorithm);
        var first = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        pki.Time.Advance(TimeSpan.FromDays(7));
        var second = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "renew", Ct);
        var kept = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb", "10.0.4.4"), "enrol", Ct);

        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);

        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var crlDer = (await pki.Store.GetAsync(RegistryLayout.CrlKey(caId), Ct))!.Content;
        using var dir = new TempDirectory();
        var crlFile = dir.Write("crl.pem", Pem.Of(new X509CrlParser().ReadCrl(crlDer)));
        var caFile = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);
        var text = Tools.Run("openssl", "crl", "-in", crlFile, "-text", "-noout").Output;
        var signature = Tools.Run("openssl", "crl", "-in", crlFile, "-CAfile", caFile, "-noout");
        var at = Tools.Epoch(pki.Time);
        var revoked = Tools.Run("openssl", "verify", "-attime", at, "-crl_check", "-CRLfile", crlFile, "-CAfile", caFile, dir.Write("a2.pem", second.CertificatePem));
        var revokedEarlier = Tools.Run("openssl", "verify", "-attime", at, "-crl_check", "-CRLfile", crlFile, "-CAfile", caFile, dir.Write("a1.pem", first.CertificatePem));
        var valid = Tools.Run("openssl", "verify", "-attime", at, "-crl_check", "-CRLfile", crlFile, "-CAfile", caFile, dir.Write("b.pem", kept.CertificatePem));

        Assert.Contains(first.SerialHex.ToUpperInvariant(), text);
        Assert.Contains(second.SerialHex.ToUpperInvariant(), text);
        Assert.DoesNotContain(kept.SerialHex.ToUpperInvariant(), text);
        Assert.Contains("Cessation Of Operation", text);
        Assert.Contains("X509v3 CRL Number", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains("Next Update: Jan 19 08:00:00 2026 GMT", text);
        Assert.Contains("verify OK", signature.All);
        Assert.Contains("certificate revoked", revoked.All);
        Assert.Contains("certificate revoked", revokedEarlier.All);
        Assert.True(valid.ExitCode == 0, valid.All);
    }

    [Fact]
    public async Task Revoked_instance_drops_out_of_the_current_certificates_and_comes_back_when_reissued()
    {
        using var pki = await PkiFixture.StartAsync();
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb"), "enrol", Ct);

        await pki.Registry.RevokeAsync(["i-0aaaa"], "opted out", Ct);
        var afterRevoke = await pki.Registry.LoadCurrentAsync(Ct);
        pki.Time.Advance(TimeSpan.FromMinutes(1));
        var reissued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        var afterReissue = await pki.Registry.LoadCurrentAsync(Ct);

        Assert.Equal(["i-0bbbb"], afterRevoke.Keys);
        Assert.Equal(reissued.SerialHex, afterReissue["i-0aaaa"].SerialHex);
    }

    [Fact]
    public async Task Revoking_again_publishes_nothing_new_and_a_later_revocation_bumps_the_crl_number()
    {
        using var pki = await PkiFixture.StartAsync();
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb"), "enrol", Ct);
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);

        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);
        var firstCrl = await ReadCrlAsync(pki, caId);
        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);
        var unchanged = await ReadCrlAsync(pki, caId);
        await pki.Registry.RevokeAsync(["i-0bbbb", "i-0cccc"], "terminated", Ct);
        var secondCrl = await ReadCrlAsync(pki, caId);

        Assert.Equal(firstCrl.GetEncoded(), unchanged.GetEncoded());
        Assert.Single(firstCrl.GetRevokedCertificates());
        Assert.Equal(2, secondCrl.GetRevokedCertificates().Count);
        Assert.Equal(pki.Time.GetUtcNow().ToUnixTimeMilliseconds(), CrlNumber(firstCrl));
        Assert.Equal(CrlNumber(firstCrl) + 1, CrlNumber(secondCrl));
    }

    [Fact]
    public async Task Crl_refresh_publishes_an_empty_crl_then_re_signs_only_when_half_its_lifetime_is_gone()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);

        await pki.Registry.RefreshCrlsAsync(Ct);
        var first = await ReadCrlAsync(pki, caId);
        pki.Time.Advance(TimeSpan.FromDays(3));
        await pki.Registry.RefreshCrlsAsync(Ct);
        var early = await ReadCrlAsync(pki, caId);
        pki.Time.Advance(TimeSpan.FromDays(1));
        await pki.Registry.RefreshCrlsAsync(Ct);
        var refreshed = await ReadCrlAsync(pki, caId);

        Assert.Empty(first.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>());
        Assert.Equal(first.GetEncoded(), early.GetEncoded());
        Assert.Equal(pki.Time.GetUtcNow().ToUnixTimeMilliseconds(), CrlNumber(refreshed));
        Assert.True(refreshed.NextUpdate > first.NextUpdate);
    }

    [Fact]
    public async Task Revocation_after_a_rotation_goes_to_the_crl_of_the_issuing_ca()
    {
        using var pki = await PkiFixture.StartAsync();
        var oldCaId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var old = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        var newCaId = (await pki.Administration.RotateAsync(null, Ct)).CaId;
        var renewed = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "ca", Ct);

        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);

        var oldCrl = await ReadCrlAsync(pki, oldCaId);
        var newCrl = await ReadCrlAsync(pki, newCaId);
        Assert.Equal(old.SerialHex, oldCrl.GetRevokedCertificates().Single().SerialNumber.ToString(16));
        Assert.Equal(renewed.SerialHex, newCrl.GetRevokedCertificates().Single().SerialNumber.ToString(16));
        var cas = Pem.ParseCertificates((await pki.Authority.GetTrustBundleAsync(Ct)).Pem);
        oldCrl.Verify(cas[1].GetPublicKey());
        newCrl.Verify(cas[0].GetPublicKey());
    }

    private static async Task<X509Crl> ReadCrlAsync(PkiFixture pki, string caId) =>
        new X509CrlParser().ReadCrl((await pki.Store.GetAsync(RegistryLayout.CrlKey(caId), Ct))!.Content);

    private static long CrlNumber(X509Crl crl) => CrlNumbers.Of(crl).LongValueExact;
}
