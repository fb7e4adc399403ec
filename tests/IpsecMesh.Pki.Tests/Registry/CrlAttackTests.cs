using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Tests.Registry;

/// <summary>
/// The attacks a writer of <c>issued/</c> could mount on CRLs built from the stored CRL: each one ended
/// with a certificate un-revoked (or no CRL at all) before CRLs were derived from the revocation records.
/// </summary>
public sealed class CrlAttackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_the_crl_object_and_refreshing_publishes_a_crl_that_still_lists_the_revoked_certificate()
    {
        using var pki = await PkiFixture.StartAsync();
        var victim = await IssueAndRevokeAsync(pki, "i-0aaaa");
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);

        await pki.Store.DeleteAsync(RegistryLayout.CrlKey(caId), Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);

        var crl = await ReadVerifiedCrlAsync(pki, caId);
        Assert.Contains(victim.SerialHex, Serials(crl));
    }

    [Fact]
    public async Task A_crl_forged_by_another_ca_is_ignored_reported_and_the_next_revocation_keeps_the_earlier_victim()
    {
        using var pki = await PkiFixture.StartAsync();
        var victim = await IssueAndRevokeAsync(pki, "i-0aaaa");
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var genuine = await ReadVerifiedCrlAsync(pki, caId);
        using var foreign = new ForeignCa();

        await pki.Store.PutAsync(RegistryLayout.CrlKey(caId), foreign.Crl(pki.Time.GetUtcNow()), Ct);
        pki.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await IssueAndRevokeAsync(pki, "i-0bbbb");

        var crl = await ReadVerifiedCrlAsync(pki, caId);
        Assert.Contains(victim.SerialHex, Serials(crl));
        Assert.Contains(second.SerialHex, Serials(crl));
        Assert.True(Number(crl) > Number(genuine));
        Assert.Contains(pki.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Garbage_in_the_crl_object_never_blocks_publishing_a_correct_crl()
    {
        using var pki = await PkiFixture.StartAsync();
        var victim = await IssueAndRevokeAsync(pki, "i-0aaaa");
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);

        await pki.Store.PutAsync(RegistryLayout.CrlKey(caId), "-----BEGIN X509 CRL-----\nnot a crl\n"u8.ToArray(), Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);

        var crl = await ReadVerifiedCrlAsync(pki, caId);
        Assert.Contains(victim.SerialHex, Serials(crl));
    }

    [Fact]
    public async Task Deleting_the_revocation_records_never_un_revokes_while_the_verified_crl_lists_the_certificate()
    {
        using var pki = await PkiFixture.StartAsync();
        var victim = await IssueAndRevokeAsync(pki, "i-0aaaa");
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var before = await ReadVerifiedCrlAsync(pki, caId);

        foreach (var key in pki.Memory.Keys.Where(IsRevocationRecord).ToList())
        {
            await pki.Store.DeleteAsync(key, Ct);
        }

        pki.Time.Advance(TimeSpan.FromMinutes(1));
        await IssueAndRevokeAsync(pki, "i-0bbbb");

        var crl = await ReadVerifiedCrlAsync(pki, caId);
        Assert.Contains(victim.SerialHex, Serials(crl));
        Assert.Contains(pki.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains("revocation record missing", StringComparison.Ordinal)
            && line.Contains(victim.SerialHex, StringComparison.Ordinal)
            && line.Contains(Number(before).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    /// <summary>Anything under <c>issued/</c> that says "revoked" rather than holding a certificate or a CRL.</summary>
    private static bool IsRevocationRecord(string key) =>
        key.StartsWith(RegistryLayout.Prefix, StringComparison.Ordinal)
        && !key.StartsWith(RegistryLayout.CrlPrefix, StringComparison.Ordinal)
        && !key.EndsWith(".pem", StringComparison.Ordinal);

    private static async Task<IssuedCertificate> IssueAndRevokeAsync(PkiFixture pki, string instanceId)
    {
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(instanceId), "enrol", Ct);
        await pki.Registry.RevokeAsync([instanceId], "terminated", Ct);
        return issued;
    }

    /// <summary>The stored CRL, which must verify under the CA's certificate and name it as issuer.</summary>
    internal static async Task<X509Crl> ReadVerifiedCrlAsync(PkiFixture pki, string caId)
    {
        var crl = new X509CrlParser().ReadCrl((await pki.Store.GetAsync(RegistryLayout.CrlKey(caId), Ct))!.Content);
        var ca = (await pki.Keyring.GetSnapshotAsync(Ct)).Trusted.Single(trusted => trusted.CaId == caId).Certificate;
        crl.Verify(ca.GetPublicKey());
        Assert.Equal(ca.SubjectDN, crl.IssuerDN);
        return crl;
    }

    internal static System.Numerics.BigInteger Number(X509Crl crl) =>
        new(Org.BouncyCastle.Asn1.DerInteger.GetInstance(crl.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.CrlNumber).GetOctets()).PositiveValue.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    internal static IReadOnlyList<string> Serials(X509Crl crl) =>
        [.. (crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>()).Select(entry => entry.SerialNumber.ToString(16))];
}
