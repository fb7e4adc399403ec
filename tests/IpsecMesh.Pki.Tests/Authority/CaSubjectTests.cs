using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests.Authority;

/// <summary>
/// Every CA that <c>ca init</c> or <c>ca rotate</c> makes has a name of its own (CN plus a serialNumber from its key),
/// so NSS, which keeps one CRL per issuer name, holds the CRLs of the old and the new CA side by side.
/// </summary>
public sealed class CaSubjectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_ca_is_named_by_its_common_name_and_a_serial_number_from_its_public_key()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync();
        var first = (await pki.Keyring.GetSnapshotAsync(Ct)).Current;
        await pki.Administration.RotateAsync(null, Ct);
        pki.Keyring.Invalidate();
        var second = (await pki.Keyring.GetSnapshotAsync(Ct)).Current;
        using var dir = new TempDirectory();

        var subject = Tools.Run("openssl", "x509", "-in", dir.Write("ca.pem", first.Pem), "-noout", "-subject", "-nameopt", "RFC2253").Output.Trim();
        var spkiHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(first.Certificate.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded()));

        Assert.Equal($"subject=serialNumber={spkiHash[..16]},CN=ipsec-mesh CA", subject);
        Assert.False(first.Certificate.SubjectDN.Equivalent(second.Certificate.SubjectDN));
    }

    [Fact]
    public async Task Nss_keeps_the_crls_of_the_old_and_the_new_ca_side_by_side_during_a_rotation()
    {
        Tools.RequireInstalled("certutil");
        Tools.RequireInstalled("crlutil");
        using var pki = await PkiFixture.StartAsync();
        var oldCaId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        var newCaId = (await pki.Administration.RotateAsync(null, Ct)).CaId;
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "ca", Ct);
        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);
        var cas = (await pki.Keyring.GetSnapshotAsync(Ct)).Trusted;
        using var dir = new TempDirectory();
        var db = "sql:" + dir.Path;
        Assert.Equal(0, Tools.Run("certutil", "-N", "-d", db, "--empty-password").ExitCode);

        foreach (var ca in cas)
        {
            Assert.Equal(0, Tools.Run("certutil", "-A", "-d", db, "-n", "ipsec-mesh-ca-" + ca.CaId, "-t", "CT,,", "-a", "-i", dir.Write(ca.CaId + ".pem", ca.Pem)).ExitCode);
        }

        foreach (var caId in new[] { oldCaId, newCaId })
        {
            var der = (await pki.Store.GetAsync(RegistryLayout.CrlKey(caId), Ct))!.Content;
            var imported = Tools.Run("crlutil", "-I", "-i", dir.Write(caId + ".crl", der), "-t", "1", "-B", "-d", db);
            Assert.True(imported.ExitCode == 0, imported.All);
        }

        // crlutil names each CRL by the nickname of its issuer's certificate: one line per CRL NSS holds.
        var listed = Tools.Run("crlutil", "-L", "-d", db).Output.Split('\n').Where(line => line.TrimEnd().EndsWith("CRL", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Contains(listed, line => line.StartsWith("ipsec-mesh-ca-" + oldCaId, StringComparison.Ordinal));
        Assert.Contains(listed, line => line.StartsWith("ipsec-mesh-ca-" + newCaId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotate_refuses_a_new_ca_named_like_a_trusted_one_and_names_both()
    {
        using var pki = await PkiFixture.StartAsync(CaAlgorithm.EcdsaP384, CaKeyMode.KmsSigner);
        var current = (await pki.Keyring.GetSnapshotAsync(Ct)).Current;
        // Another alias of the same KMS key: a new key id, but the same key, so the same name.
        pki.Kms.CreateAlias("alias/ipsec-mesh-ca-again", PkiFixture.CaKmsKeyId);
        var objects = pki.Memory.Keys.Count;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pki.Administration.RotateAsync("alias/ipsec-mesh-ca-again", Ct));

        Assert.Contains(current.CaId, error.Message);
        Assert.Contains(current.Certificate.SubjectDN.ToString(), error.Message);
        Assert.Contains("the new CA", error.Message);
        Assert.Equal(objects, pki.Memory.Keys.Count);
        pki.Keyring.Invalidate();
        Assert.Equal(current.CaId, await pki.Authority.GetCurrentCaIdAsync(Ct));
    }

    [Fact]
    public async Task Import_refuses_a_ca_named_like_a_trusted_one_and_names_both()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync();
        var current = (await pki.Keyring.GetSnapshotAsync(Ct)).Current;
        using var dir = new TempDirectory();
        var keyFile = dir.PathOf("twin.key");
        Tools.Run("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", keyFile);
        var subject = "/" + string.Join('/', current.Certificate.SubjectDN.ToString().Split(',').Select(part => part.Trim()))
            .Replace("SERIALNUMBER=", "serialNumber=", StringComparison.Ordinal);
        var created = Tools.Run("openssl", "req", "-x509", "-new", "-key", keyFile, "-subj", subject, "-days", "30", "-out", dir.PathOf("twin.pem"),
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Assert.True(created.ExitCode == 0, created.All);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            pki.Administration.ImportAsync(File.ReadAllText(dir.PathOf("twin.pem")), File.ReadAllText(keyFile), Ct));

        Assert.Contains("the imported CA", error.Message);
        Assert.Contains(current.CaId, error.Message);
        Assert.Contains(current.Certificate.SubjectDN.ToString(), error.Message);
    }
}
