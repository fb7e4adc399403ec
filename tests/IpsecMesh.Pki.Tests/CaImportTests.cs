using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

public sealed class CaImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ec", "-pkeyopt", "ec_paramgen_curve:P-384")]
    [InlineData("rsa", "-pkeyopt", "rsa_keygen_bits:3072")]
    public async Task Imported_openssl_ca_signs_certificates_that_openssl_verifies(string algorithm, string option, string value)
    {
        Tools.RequireInstalled("openssl");
        using var dir = new TempDirectory();
        var keyFile = dir.PathOf("ca.key");
        var caFile = dir.PathOf("ca.pem");
        Assert.Equal(0, Tools.Run("openssl", "genpkey", "-algorithm", algorithm, option, value, "-out", keyFile).ExitCode);
        Assert.Equal(0, Tools.Run("openssl", "req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=corp mesh CA", "-days", "3650", "-out", caFile,
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign").ExitCode);
        using var pki = PkiFixture.Unstarted(PkiFixture.DefaultOptions());
        pki.Time.SetUtcNow(DateTimeOffset.UtcNow);

        var imported = await pki.Administration.ImportAsync(File.ReadAllText(caFile), File.ReadAllText(keyFile), Ct);
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);

        var fingerprint = Tools.Run("openssl", "x509", "-in", caFile, "-noout", "-fingerprint", "-sha256").Output;
        Assert.Contains(imported.Sha256Fingerprint, fingerprint);
        Assert.Equal("CN=corp mesh CA", imported.Subject);
        var verify = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", caFile, dir.Write("host.pem", issued.CertificatePem));
        Assert.True(verify.ExitCode == 0, verify.All);
    }

    [Fact]
    public async Task Import_refuses_a_key_that_does_not_belong_to_the_certificate()
    {
        Tools.RequireInstalled("openssl");
        using var dir = new TempDirectory();
        Tools.Run("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", dir.PathOf("ca.key"));
        Tools.Run("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", dir.PathOf("other.key"));
        Tools.Run("openssl", "req", "-x509", "-new", "-key", dir.PathOf("ca.key"), "-subj", "/CN=ca", "-days", "30", "-out", dir.PathOf("ca.pem"),
            "-addext", "basicConstraints=critical,CA:TRUE");
        using var pki = PkiFixture.Unstarted(PkiFixture.DefaultOptions());

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            pki.Administration.ImportAsync(File.ReadAllText(dir.PathOf("ca.pem")), File.ReadAllText(dir.PathOf("other.key")), Ct));

        Assert.Contains("does not belong", error.Message);
        Assert.Empty(pki.Memory.Keys);
    }

    [Fact]
    public async Task Import_refuses_a_certificate_that_is_not_a_ca()
    {
        Tools.RequireInstalled("openssl");
        using var dir = new TempDirectory();
        Tools.Run("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", dir.PathOf("leaf.key"));
        Tools.Run("openssl", "req", "-x509", "-new", "-key", dir.PathOf("leaf.key"), "-subj", "/CN=leaf", "-days", "30", "-out", dir.PathOf("leaf.pem"),
            "-addext", "basicConstraints=critical,CA:FALSE");
        using var pki = PkiFixture.Unstarted(PkiFixture.DefaultOptions());

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            pki.Administration.ImportAsync(File.ReadAllText(dir.PathOf("leaf.pem")), File.ReadAllText(dir.PathOf("leaf.key")), Ct));

        Assert.Contains("not a CA certificate", error.Message);
    }
}
