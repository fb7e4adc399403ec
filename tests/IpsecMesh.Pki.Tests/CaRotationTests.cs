using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

public sealed class CaRotationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotation_keeps_both_cas_until_the_overlap_ended_and_the_old_cas_certificates_are_revoked()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync(PkiFixture.DefaultOptions() with { RotationOverlap = TimeSpan.FromDays(10) });
        var oldCaId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var oldBundle = await pki.Authority.GetTrustBundleAsync(Ct);
        var fromOld = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);

        var rotated = await pki.Administration.RotateAsync(null, Ct);
        var overlapBundle = await pki.Authority.GetTrustBundleAsync(Ct);
        var fromNew = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb"), "ca", Ct);

        Assert.NotEqual(oldCaId, rotated.CaId);
        Assert.Equal(rotated.CaId, fromNew.CaId);
        Assert.Equal([rotated.CaId, oldCaId], overlapBundle.CaIds);
        Assert.NotEqual(oldBundle.BundleId, overlapBundle.BundleId);
        Assert.Equal(2, Pem.ParseCertificates(overlapBundle.Pem).Count);
        using var dir = new TempDirectory();
        var overlapFile = dir.Write("overlap.pem", overlapBundle.Pem);
        var oldVerified = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", overlapFile, dir.Write("old.pem", fromOld.CertificatePem));
        var newVerified = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", overlapFile, dir.Write("new.pem", fromNew.CertificatePem));
        Assert.True(oldVerified.ExitCode == 0, oldVerified.All);
        Assert.True(newVerified.ExitCode == 0, newVerified.All);

        // The overlap ends, but the old CA's certificates are still good: it stays (hosts' pluto would trust it until restarted anyway).
        pki.Time.Advance(TimeSpan.FromDays(10) + TimeSpan.FromMinutes(1));
        Assert.Equal([rotated.CaId, oldCaId], (await pki.Authority.GetTrustBundleAsync(Ct)).CaIds);
        var retirement = new CaRetirement(pki.Store, pki.Keyring, pki.Registry, pki.Options, pki.Time, pki.Logs.For<CaRetirement>());
        Assert.Equal([oldCaId], await retirement.PendingAsync(Ct));

        var revoked = await retirement.RetireAsync([oldCaId], Ct);

        // Every unexpired old-CA certificate is on the old CA's CRL, published while hosts still trust the CA; the CA
        // stays for the grace that lets that CRL reach every host, then leaves.
        Assert.Equal([fromOld.SerialHex], revoked.Select(c => c.SerialHex));
        Assert.Empty(await retirement.PendingAsync(Ct));
        var crl = new Org.BouncyCastle.X509.X509CrlParser().ReadCrl((await pki.Store.GetAsync(IpsecMesh.Pki.Registry.RegistryLayout.CrlKey(oldCaId), Ct))!.Content);
        Assert.Equal(fromOld.SerialHex, Assert.Single(crl.GetRevokedCertificates()).SerialNumber.ToString(16));
        Assert.Equal([rotated.CaId, oldCaId], (await pki.Authority.GetTrustBundleAsync(Ct)).CaIds);
        pki.Time.Advance(pki.Options.CaRetirementGrace + pki.Options.CaStateRefreshInterval);
        var afterBundle = await pki.Authority.GetTrustBundleAsync(Ct);

        Assert.Equal([rotated.CaId], afterBundle.CaIds);
        var afterFile = dir.Write("after.pem", afterBundle.Pem);
        Assert.NotEqual(0, Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", afterFile, dir.PathOf("old.pem")).ExitCode);
        var stillVerified = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", afterFile, dir.PathOf("new.pem"));
        Assert.True(stillVerified.ExitCode == 0, stillVerified.All);
    }

    [Fact]
    public async Task Another_replica_follows_a_rotation_within_the_refresh_interval_and_opens_the_key_once()
    {
        using var pki = await PkiFixture.StartAsync();
        using var replica = new CaKeyring(pki.Store, pki.Kms, pki.Options, pki.Time, pki.Logs.For<CaKeyring>());
        var before = (await replica.GetSnapshotAsync(Ct)).Current.CaId;
        await replica.GetSigningKeyAsync((await replica.GetSnapshotAsync(Ct)).Current, Ct);
        var decrypts = pki.Kms.DecryptCalls;

        var rotated = (await pki.Administration.RotateAsync(null, Ct)).CaId;
        var stale = (await replica.GetSnapshotAsync(Ct)).Current.CaId;
        pki.Time.Advance(pki.Options.CaStateRefreshInterval);
        var followed = await replica.GetSnapshotAsync(Ct);
        await replica.GetSigningKeyAsync(followed.Current, Ct);
        await replica.GetSigningKeyAsync(followed.Current, Ct);

        Assert.Equal(before, stale);
        Assert.Equal(rotated, followed.Current.CaId);
        Assert.Equal([rotated, before], followed.Trusted.Select(ca => ca.CaId));
        Assert.Equal(decrypts + 1, pki.Kms.DecryptCalls);
    }

    [Fact]
    public async Task Show_lists_the_current_ca_first_and_the_previous_one_with_its_retire_time()
    {
        using var pki = await PkiFixture.StartAsync();
        var oldCaId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var rotatedAt = pki.Time.GetUtcNow();
        await pki.Administration.RotateAsync(null, Ct);

        var during = await pki.Administration.ShowAsync(Ct);
        pki.Time.Advance(TimeSpan.FromDays(31));
        var after = await pki.Administration.ShowAsync(Ct);

        Assert.Equal([CaRole.Current, CaRole.Previous], during.Select(ca => ca.Role));
        Assert.Equal(oldCaId, during[1].CaId);
        Assert.Equal(rotatedAt + TimeSpan.FromDays(30), during[1].RetireAt);
        // Past its overlap it is still trusted while its certificates are not revoked; retired once they are and the grace passed.
        Assert.Equal([CaRole.Current, CaRole.Previous], after.Select(ca => ca.Role));
        await new CaRetirement(pki.Store, pki.Keyring, pki.Registry, pki.Options, pki.Time, pki.Logs.For<CaRetirement>()).RetireAsync([oldCaId], Ct);
        pki.Time.Advance(pki.Options.CaRetirementGrace);
        Assert.Equal([CaRole.Current, CaRole.Retired], (await pki.Administration.ShowAsync(Ct)).Select(ca => ca.Role));
    }

    [Fact]
    public async Task A_second_rotation_during_the_overlap_keeps_every_unretired_ca()
    {
        using var pki = await PkiFixture.StartAsync();
        var first = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var second = (await pki.Administration.RotateAsync(null, Ct)).CaId;
        pki.Time.Advance(TimeSpan.FromDays(1));

        var third = (await pki.Administration.RotateAsync(null, Ct)).CaId;

        Assert.Equal([third, second, first], (await pki.Authority.GetTrustBundleAsync(Ct)).CaIds);
    }

    [Fact]
    public async Task Rotating_a_kms_signer_ca_needs_a_new_kms_key()
    {
        using var pki = await PkiFixture.StartAsync(CaAlgorithm.EcdsaP384, CaKeyMode.KmsSigner);
        pki.Kms.CreateSigningKey("alias/ipsec-mesh-ca-2", CaAlgorithm.EcdsaP384);

        await Assert.ThrowsAsync<ArgumentException>(() => pki.Administration.RotateAsync(null, Ct));
        var rotated = await pki.Administration.RotateAsync("alias/ipsec-mesh-ca-2", Ct);
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "ca", Ct);

        Assert.Equal(rotated.CaId, issued.CaId);
        Assert.Equal(CaKeyMode.KmsSigner, rotated.KeyMode);
    }

    [Fact]
    public async Task Init_refuses_to_replace_an_existing_ca_and_leaves_it_in_place()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var objects = pki.Memory.Keys.Count;

        var error = await Assert.ThrowsAsync<CaStoreException>(() => pki.Administration.InitAsync(withBackup: false, Ct));

        Assert.Contains("ca rotate", error.Message);
        Assert.Equal(objects, pki.Memory.Keys.Count);
        pki.Keyring.Invalidate();
        Assert.Equal(caId, await pki.Authority.GetCurrentCaIdAsync(Ct));
    }

    [Fact]
    public async Task Issuing_before_any_ca_exists_says_how_to_create_one()
    {
        using var pki = PkiFixture.Unstarted(PkiFixture.DefaultOptions());

        var error = await Assert.ThrowsAsync<CaStoreException>(() => pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct));

        Assert.Contains("ipsec-mesh ca init", error.Message);
    }
}
