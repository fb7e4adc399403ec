using System.Globalization;
using System.Text;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;
using Org.BouncyCastle.Math;
using static IpsecMesh.Pki.Tests.Registry.CrlAttackTests;

namespace IpsecMesh.Pki.Tests.Registry;

/// <summary>
/// A registry as the version before revocation records wrote it: certificates, per-instance markers
/// <c>issued/&lt;instance&gt;/&lt;serial&gt;.revoked</c> with a <c>{"revokedAt":…}</c> body, and a CRL whose number counts from 1.
/// After the upgrade it yields the same revocations.
/// </summary>
public sealed class RegistryUpgradeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Revocations_of_an_earlier_version_stay_revoked_in_the_listing_and_in_every_later_crl()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var (revoked, kept) = await WriteEarlierRegistryAsync(pki, caId, withCrl: true);

        var current = await pki.Registry.LoadCurrentAsync(Ct);
        await pki.Store.DeleteAsync(RegistryLayout.CrlKey(caId), Ct);
        pki.Time.Advance(TimeSpan.FromMinutes(1));
        await pki.Registry.RefreshCrlsAsync(Ct);
        var rebuilt = await ReadVerifiedCrlAsync(pki, caId);

        Assert.Equal([kept.InstanceId], current.Keys);
        Assert.Equal(revoked.Select(c => c.SerialHex).Order(), Serials(rebuilt).Order());
        Assert.DoesNotContain(pki.Logs.Lines, line => line.Contains("revocation record missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_earlier_versions_markers_reach_the_first_crl_of_a_new_process_even_before_any_listing()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var (revoked, _) = await WriteEarlierRegistryAsync(pki, caId, withCrl: false);

        // The controller's start-up refreshes CRLs before it loads the current certificates.
        await pki.Registry.RefreshCrlsAsync(Ct);

        var crl = await ReadVerifiedCrlAsync(pki, caId);
        Assert.Equal(revoked.Select(c => c.SerialHex).Order(), Serials(crl).Order());
        Assert.Equal(revoked.Count, pki.Memory.Keys.Count(key => key.StartsWith(RegistryLayout.RevokedPrefixOf(caId), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_first_crl_after_the_upgrade_numbers_above_the_earlier_versions_crl()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await WriteEarlierRegistryAsync(pki, caId, withCrl: true);
        var earlier = await ReadVerifiedCrlAsync(pki, caId);

        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0dddd", "10.0.4.4"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0dddd"], "terminated", Ct);

        var upgraded = await ReadVerifiedCrlAsync(pki, caId);
        Assert.Equal(3, Number(earlier));
        Assert.Equal(pki.Time.GetUtcNow().ToUnixTimeMilliseconds(), Number(upgraded));
        Assert.Equal(4, Serials(upgraded).Count);
    }

    /// <summary>Three revoked certificates of two instances and one live one, in the earlier layout.</summary>
    private static async Task<(List<IssuedCertificate> Revoked, IssuedCertificate Kept)> WriteEarlierRegistryAsync(PkiFixture pki, string caId, bool withCrl)
    {
        var revoked = new List<IssuedCertificate>
        {
            await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct),
            await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "renew", Ct),
            await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Rsa), Hosts.Identity("i-0bbbb", "10.0.2.2"), "enrol", Ct),
        };
        var kept = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0cccc", "10.0.3.3"), "enrol", Ct);
        var at = pki.Time.GetUtcNow();
        var marker = Encoding.UTF8.GetBytes($"{{\"revokedAt\":\"{at.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)}\"}}");
        foreach (var certificate in revoked)
        {
            await pki.Store.PutAsync(RegistryLayout.LegacyRevocationKey(certificate.InstanceId, certificate.SerialHex), marker, Ct);
        }

        if (withCrl)
        {
            var ca = (await pki.Keyring.GetSnapshotAsync(Ct)).Current;
            var key = await pki.Keyring.GetSigningKeyAsync(ca, Ct);
            var entries = revoked.Select(c => new RevokedSerial(new BigInteger(c.SerialHex, 16), at, RevocationReason.CessationOfOperation));
            var crl = await SignedStructures.SignCrlAsync(CrlTemplate.Build(ca.Certificate, key.SignatureAlgorithm, BigInteger.Three, at, at.AddDays(7), entries), key, Ct);
            await pki.Store.PutAsync(RegistryLayout.CrlKey(caId), crl.GetEncoded(), Ct);
        }

        pki.Time.Advance(TimeSpan.FromMinutes(1));
        return (revoked, kept);
    }
}
