using System.Text;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

/// <summary>Enrolment mode (b): the controller-made key travels as PKCS#12 whose password only the right host can decrypt.</summary>
public sealed class Pkcs12EnrolmentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HostKeyAlgorithm.EcdsaP256, CaAlgorithm.EcdsaP384)]
    [InlineData(HostKeyAlgorithm.Rsa4096, CaAlgorithm.Rsa4096)]
    public async Task Pkcs12_imports_with_pk12util_once_the_password_is_decrypted_with_the_instance_context(HostKeyAlgorithm hostKey, CaAlgorithm caAlgorithm)
    {
        Tools.RequireInstalled("pk12util");
        Tools.RequireInstalled("certutil");
        var options = PkiFixture.DefaultOptions(caAlgorithm) with { ControllerKeyAlgorithm = hostKey };
        using var pki = await PkiFixture.StartAsync(options);
        var identity = Hosts.Identity();
        var package = await pki.Authority.IssueWithKeyAsync(identity, "enrol", Ct);
        using var dir = new TempDirectory();
        var db = Directory.CreateDirectory(dir.PathOf("nss")).FullName;

        var password = await pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, package.EncryptedPassword, Hosts.SecretContext(identity.InstanceId), Ct);
        var passwordFile = dir.Write("p12-password", password);
        var p12File = dir.Write("host.p12", package.Pkcs12);
        var created = Tools.Run("certutil", "-N", "-d", "sql:" + db, "--empty-password");
        var imported = Tools.Run("pk12util", "-i", p12File, "-d", "sql:" + db, "-w", passwordFile);
        var keys = Tools.Run("certutil", "-K", "-d", "sql:" + db);
        var certificate = Tools.Run("certutil", "-L", "-d", "sql:" + db, "-n", "ipsec-mesh-host", "-a");

        Assert.True(created.ExitCode == 0, created.All);
        Assert.True(imported.ExitCode == 0, imported.All);
        Assert.Contains("ipsec-mesh-host", keys.Output);
        Assert.Contains(hostKey == HostKeyAlgorithm.Rsa4096 ? "rsa" : "ec", keys.Output);
        Assert.True(certificate.ExitCode == 0, certificate.All);
        Assert.Equal(package.Certificate.CertificatePem.Trim(), certificate.Output.Replace("\r", string.Empty, StringComparison.Ordinal).Trim());
        Assert.Matches("^[0-9a-f]{64}$", Encoding.ASCII.GetString(password));
    }

    [Fact]
    public async Task Password_does_not_decrypt_with_another_instances_context()
    {
        using var pki = await PkiFixture.StartAsync();
        var package = await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0aaaa"), "enrol", Ct);

        await Assert.ThrowsAsync<KeyServiceException>(() =>
            pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, package.EncryptedPassword, Hosts.SecretContext("i-0bbbb"), Ct));
        await Assert.ThrowsAsync<KeyServiceException>(() =>
            pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, package.EncryptedPassword, new Dictionary<string, string>(), Ct));
        await Assert.ThrowsAsync<KeyServiceException>(() =>
            pki.Kms.DecryptAsync(PkiFixture.CaKmsKeyId, package.EncryptedPassword, Hosts.SecretContext("i-0aaaa"), Ct));
    }

    [Fact]
    public async Task Password_is_sealed_under_the_instance_id_and_arn_the_key_policy_checks_not_the_id_alone()
    {
        using var pki = await PkiFixture.StartAsync();
        var package = await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0aaaa"), "enrol", Ct);

        var password = await pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, package.EncryptedPassword, Hosts.SecretContext("i-0aaaa"), Ct);

        Assert.Equal(64, password.Length);
        await Assert.ThrowsAsync<KeyServiceException>(() =>
            pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, package.EncryptedPassword, new Dictionary<string, string> { ["InstanceId"] = "i-0aaaa" }, Ct));
        await Assert.ThrowsAsync<KeyServiceException>(() =>
            pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, package.EncryptedPassword, new Dictionary<string, string> { ["InstanceArn"] = Hosts.ArnOf("i-0aaaa") }, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("arn:aws:ec2:eu-west-1:123456789012:instance/i-0bbbb")]
    public async Task Issuing_with_a_key_without_the_instances_own_arn_fails_before_making_anything(string arn)
    {
        using var pki = await PkiFixture.StartAsync();
        var identity = Hosts.Identity("i-0aaaa") with { InstanceArn = arn };

        await Assert.ThrowsAsync<ArgumentException>(() => pki.Authority.IssueWithKeyAsync(identity, "enrol", Ct));

        Assert.Empty(await pki.Registry.LoadCurrentAsync(Ct));
    }

    [Fact]
    public async Task Packages_for_two_hosts_have_different_passwords_and_keys()
    {
        using var pki = await PkiFixture.StartAsync();

        var first = await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0aaaa"), "enrol", Ct);
        var second = await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0bbbb"), "enrol", Ct);

        var firstPassword = await pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, first.EncryptedPassword, Hosts.SecretContext("i-0aaaa"), Ct);
        var secondPassword = await pki.Kms.DecryptAsync(PkiFixture.HostKmsKeyId, second.EncryptedPassword, Hosts.SecretContext("i-0bbbb"), Ct);
        Assert.NotEqual(firstPassword, secondPassword);
        Assert.NotEqual(first.Certificate.SerialHex, second.Certificate.SerialHex);
    }

    [Fact]
    public async Task Issuing_with_a_key_without_a_host_kms_key_fails_before_making_anything()
    {
        var options = PkiFixture.DefaultOptions() with { HostKmsKeyId = string.Empty, EnrolmentMode = EnrolmentMode.HostKey };
        using var pki = await PkiFixture.StartAsync(options);

        await Assert.ThrowsAsync<InvalidOperationException>(() => pki.Authority.IssueWithKeyAsync(Hosts.Identity(), "enrol", Ct));

        Assert.Empty(await pki.Registry.LoadCurrentAsync(Ct));
    }
}
