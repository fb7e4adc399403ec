using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;
using Org.BouncyCastle.X509;
using static IpsecMesh.Pki.Tests.Registry.CrlAttackTests;

namespace IpsecMesh.Pki.Tests.Registry;

/// <summary>A CRL is what the revocation records say for certificates that have not expired: no more, no less.</summary>
public sealed class CrlDerivationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two-day certificates, so one expires long before half of a CRL's seven-day lifetime is gone.</summary>
    private static PkiOptions ShortLivedCertificates => PkiFixture.DefaultOptions() with
    {
        CertificateLifetime = TimeSpan.FromDays(2),
        RenewAfter = TimeSpan.FromDays(1),
        CrlLifetime = TimeSpan.FromDays(7),
    };

    [Fact]
    public async Task An_expired_entry_stays_on_the_first_crl_issued_after_its_expiry_then_leaves_and_its_expiry_alone_publishes_nothing()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync(ShortLivedCertificates);
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var expiring = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);
        var withEntry = await ReadVerifiedCrlAsync(pki, caId);

        pki.Time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await pki.Registry.RefreshCrlsAsync(Ct);
        var afterExpiry = await ReadVerifiedCrlAsync(pki, caId);
        pki.Time.Advance(TimeSpan.FromDays(1.5));
        var second = await IssueAndRevokeAsync(pki, "i-0bbbb");
        var firstBeyondExpiry = await ReadVerifiedCrlAsync(pki, caId);
        pki.Time.Advance(TimeSpan.FromMinutes(1));
        var third = await IssueAndRevokeAsync(pki, "i-0cccc");
        var pruned = await ReadVerifiedCrlAsync(pki, caId);

        Assert.Equal([expiring.SerialHex], Serials(withEntry));
        Assert.Equal(withEntry.GetEncoded(), afterExpiry.GetEncoded());
        Assert.Equal(new[] { expiring.SerialHex, second.SerialHex }.Order(), Serials(firstBeyondExpiry).Order());
        Assert.Equal(new[] { second.SerialHex, third.SerialHex }.Order(), Serials(pruned).Order());
        await AssertOpensslVerifiesAsync(pki, pruned);
    }

    [Fact]
    public async Task Without_a_verified_crl_only_entries_expired_less_than_a_crl_lifetime_ago_are_listed_again()
    {
        using var pki = await PkiFixture.StartAsync(ShortLivedCertificates);
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await IssueAndRevokeAsync(pki, "i-0aaaa");
        pki.Time.Advance(TimeSpan.FromDays(8));
        var recently = await IssueAndRevokeAsync(pki, "i-0bbbb");
        pki.Time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));

        await pki.Store.DeleteAsync(RegistryLayout.CrlKey(caId), Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);

        Assert.Equal([recently.SerialHex], Serials(await ReadVerifiedCrlAsync(pki, caId)));
    }

    [Fact]
    public async Task Crl_number_increases_across_a_restart_that_finds_the_crl_deleted()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var revoked = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);
        var beforeRestart = await ReadVerifiedCrlAsync(pki, caId);
        // A second CRL within the same millisecond: the number still moves (previous + 1 beats the clock).
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0bbbb"], "terminated", Ct);
        var sameMillisecond = await ReadVerifiedCrlAsync(pki, caId);

        await pki.Store.DeleteAsync(RegistryLayout.CrlKey(caId), Ct);
        pki.Time.Advance(TimeSpan.FromSeconds(3));
        using var keyring = new CaKeyring(pki.Store, pki.Kms, pki.Options, pki.Time, pki.Logs.For<CaKeyring>());
        using var restarted = new IssuanceRegistry(pki.Store, keyring, pki.Options, new PkiCounters(), pki.Time, pki.Logs.For<IssuanceRegistry>());
        await restarted.RefreshCrlsAsync(Ct);
        var afterRestart = await ReadVerifiedCrlAsync(pki, caId);

        Assert.True(Number(sameMillisecond) > Number(beforeRestart));
        Assert.True(Number(afterRestart) > Number(sameMillisecond));
        Assert.Contains(revoked.SerialHex, Serials(afterRestart));
    }

    [Fact]
    public async Task Entries_carry_the_reason_of_their_record_and_openssl_verifies_the_crl()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync(CaAlgorithm.Rsa4096);
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.1"), "enrol", Ct);
        var moved = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.2"), "names", Ct);
        await pki.Registry.RevokeSupersededAsync(moved, Ct);
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0bbbb"], "opted out", Ct);

        var crl = await ReadVerifiedCrlAsync(pki, caId);
        using var dir = new TempDirectory();
        var text = Tools.Run("openssl", "crl", "-inform", "DER", "-in", dir.Write("crl.der", crl.GetEncoded()), "-text", "-noout").Output;

        Assert.Contains("Superseded", text);
        Assert.Contains("Cessation Of Operation", text);
        await AssertOpensslVerifiesAsync(pki, crl);
    }

    [Fact]
    public async Task Hosts_never_get_a_stored_crl_that_does_not_verify_and_the_rejection_is_counted()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);
        var genuine = await pki.Registry.GetCrlsAsync([caId], Ct);
        var subject = (await pki.Keyring.GetSnapshotAsync(Ct)).Current.Certificate.SubjectDN;
        using var foreign = new ForeignCa(new System.Security.Cryptography.X509Certificates.X500DistinguishedName(subject.GetEncoded()));

        await pki.Store.PutAsync(RegistryLayout.CrlKey(caId), foreign.Crl(pki.Time.GetUtcNow()), Ct);
        var forged = await pki.Registry.GetCrlsAsync([caId], Ct);

        Assert.Single(genuine);
        Assert.Empty(forged);
        Assert.Equal(1, pki.Counters.StoredCrlsRejected[CrlProblems.BadSignature]);
        Assert.Equal(0, pki.Counters.StoredCrlsRejected[CrlProblems.WrongIssuer]);
    }

    [Fact]
    public async Task A_crl_naming_another_issuer_is_rejected_as_such_even_when_the_bytes_are_a_valid_crl()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        using var foreign = new ForeignCa("CN=someone else's CA");

        await pki.Store.PutAsync(RegistryLayout.CrlKey(caId), foreign.Crl(pki.Time.GetUtcNow()), Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);

        Assert.Equal(1, pki.Counters.StoredCrlsRejected[CrlProblems.WrongIssuer]);
        await ReadVerifiedCrlAsync(pki, caId);
    }

    [Fact]
    public async Task A_record_written_before_a_crash_reaches_the_crl_at_the_next_refresh()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        // What RevokeAsync writes before it publishes: the crash comes between the two.
        await pki.Store.PutIfAbsentAsync(RegistryLayout.RevocationRecordKey(issued),
            new RevocationRecordBody(pki.Time.GetUtcNow(), RevocationReason.CessationOfOperation, "terminated").ToJson(), Ct);

        pki.Time.Advance(TimeSpan.FromMinutes(1));
        await pki.Registry.RefreshCrlsAsync(Ct);

        Assert.Equal([issued.SerialHex], Serials(await ReadVerifiedCrlAsync(pki, caId)));
        Assert.DoesNotContain("i-0aaaa", (await pki.Registry.LoadCurrentAsync(Ct)).Keys);
    }

    private static async Task<IssuedCertificate> IssueAndRevokeAsync(PkiFixture pki, string instanceId)
    {
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(instanceId), "enrol", Ct);
        await pki.Registry.RevokeAsync([instanceId], "terminated", Ct);
        return issued;
    }

    private static async Task AssertOpensslVerifiesAsync(PkiFixture pki, X509Crl crl)
    {
        using var dir = new TempDirectory();
        var ca = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);
        var verify = Tools.Run("openssl", "crl", "-inform", "DER", "-in", dir.Write("crl.der", crl.GetEncoded()), "-CAfile", ca, "-noout");
        Assert.Contains("verify OK", verify.All);
    }
}
