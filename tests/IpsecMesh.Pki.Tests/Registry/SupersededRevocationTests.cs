using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;
using static IpsecMesh.Pki.Tests.Registry.CrlAttackTests;

namespace IpsecMesh.Pki.Tests.Registry;

/// <summary>
/// A certificate for changed addresses revokes the instance's earlier certificates, so an address it lost cannot be
/// claimed with them; a routine renewal with the same names revokes nothing.
/// </summary>
public sealed class SupersededRevocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_certificate_for_changed_addresses_revokes_the_earlier_ones_and_openssl_refuses_them()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var first = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.1", "10.0.1.9"), "enrol", Ct);
        pki.Time.Advance(TimeSpan.FromDays(7));
        var renewed = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.1", "10.0.1.9"), "renew", Ct);
        pki.Time.Advance(TimeSpan.FromHours(1));
        var moved = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.1"), "names", Ct);

        var superseded = await pki.Registry.RevokeSupersededAsync(moved, Ct);

        Assert.Equal(new[] { first.SerialHex, renewed.SerialHex }.Order(), superseded.Select(c => c.SerialHex).Order());
        Assert.Equal(moved.SerialHex, (await pki.Registry.LoadCurrentAsync(Ct))["i-0aaaa"].SerialHex);
        var crl = await ReadVerifiedCrlAsync(pki, caId);
        using var dir = new TempDirectory();
        var crlFile = dir.Write("crl.pem", Pem.Of(crl));
        var caFile = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);
        var at = Tools.Epoch(pki.Time);
        Assert.Contains("certificate revoked", Tools.Run("openssl", "verify", "-attime", at, "-crl_check", "-CRLfile", crlFile, "-CAfile", caFile, dir.Write("old.pem", renewed.CertificatePem)).All);
        var current = Tools.Run("openssl", "verify", "-attime", at, "-crl_check", "-CRLfile", crlFile, "-CAfile", caFile, dir.Write("new.pem", moved.CertificatePem));
        Assert.True(current.ExitCode == 0, current.All);
    }

    [Fact]
    public async Task A_routine_renewal_with_the_same_names_revokes_nothing_and_publishes_nothing()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await pki.Registry.RefreshCrlsAsync(Ct);
        var before = (await pki.Store.GetAsync(RegistryLayout.CrlKey(caId), Ct))!;
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        pki.Time.Advance(TimeSpan.FromDays(7));
        var renewed = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "renew", Ct);

        var superseded = await pki.Registry.RevokeSupersededAsync(renewed, Ct);

        Assert.Empty(superseded);
        Assert.Equal(before.ETag, (await pki.Store.GetAsync(RegistryLayout.CrlKey(caId), Ct))!.ETag);
    }

    [Fact]
    public async Task A_certificate_never_revokes_a_newer_one_of_the_same_instance()
    {
        using var pki = await PkiFixture.StartAsync();
        var older = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.1"), "enrol", Ct);
        pki.Time.Advance(TimeSpan.FromMinutes(5));
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.2"), "names", Ct);

        Assert.Empty(await pki.Registry.RevokeSupersededAsync(older, Ct));
    }

    [Fact]
    public async Task Superseded_and_instance_revocations_in_one_batch_make_one_crl()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var gone = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb", "10.0.2.2"), "enrol", Ct);
        var old = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.1"), "enrol", Ct);
        pki.Time.Advance(TimeSpan.FromMinutes(5));
        var moved = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa", "10.0.1.2"), "names", Ct);
        var supersede = RevocationRequest.Superseded(moved);
        var terminate = RevocationRequest.AllOf("i-0bbbb", "instance terminated");

        var result = await pki.Registry.RevokeBatchAsync([supersede, terminate], Ct);

        Assert.Equal([old.SerialHex], result[supersede].Select(c => c.SerialHex));
        Assert.Equal([gone.SerialHex], result[terminate].Select(c => c.SerialHex));
        Assert.Single(pki.Logs.Lines, line => line.Contains("Published CRL", StringComparison.Ordinal));
        Assert.Equal(new[] { gone.SerialHex, old.SerialHex }.Order(), Serials(await ReadVerifiedCrlAsync(pki, caId)).Order());
    }
}
