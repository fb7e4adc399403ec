using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpsecMesh.Integration.Tests.Chaos;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Tests.Shared;

namespace IpsecMesh.Integration.Tests.BadInput;

public class ForgedCsrTests
{
    private const string Foreign = "db.prod.example.com";
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Forgeries => ["bad signature", "not a CSR"];

    /// <summary>
    /// A host that sends a valid CSR for a key it does not hold, with its install (false), or alone after claiming at
    /// each todo install that it re-created its NSS database (true): the todo rule (a renewal's CSR whose key is gone
    /// reinstalls) must not count a CSR asked for while the tag says todo as a renewal's, or that host would be
    /// reinstalled and signed for forever.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_valid_csr_for_a_foreign_key_and_names_gets_ec2_names_only_and_fails_without_a_signing_loop(bool reinitialiseOnInstall)
    {
        await using var mesh = new MeshFixture();
        var runtime = new ForgingRuntime(new VirtualHost(VirtualHostOptions.Instant), () => Forge("foreign names"), reinitialiseOnInstall);
        var instance = mesh.Aws.Fleet.Launch(InstanceSpec.Tagged(MeshFixture.TagKey, "todo") with { Runtime = runtime });
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(instance, "failed");
        // Several backoff periods pass: a host whose CSR was not its own is not retried into a signing loop.
        await Task.Delay(TimeSpan.FromSeconds(3), Token);

        Assert.Equal("failed", instance.Tag(MeshFixture.TagKey));
        Assert.Equal("certificate install failed: the host holds no key for the certificate signed from its own CSR", instance.Tag(MeshFixture.TagKey + ":Status"));
        // The CA cannot know the host lacks the key, so it signed once, with EC2's names; it never asked again.
        var issued = FleetAudit.IssuedCertificates(mesh.Aws).Where(k => FleetAudit.InstanceOf(k) == instance.InstanceId).ToList();
        var key = Assert.Single(issued);
        using var cert = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(mesh.Aws.ReadObject(key)!));
        Assert.Equal($"CN={instance.PrivateDnsName}", cert.Subject);
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.DoesNotContain(Foreign, san.EnumerateDnsNames(), StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("10.99.99.99", san.EnumerateIPAddresses().Select(a => a.ToString()));
        Assert.False(runtime.Host.IsEnabled);
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_csr_fails_clearly_and_never_yields_a_certificate_with_foreign_names(string forgery)
    {
        await using var mesh = new MeshFixture();
        var runtime = new ForgingRuntime(new VirtualHost(VirtualHostOptions.Instant), () => Forge(forgery));
        var instance = mesh.Aws.Fleet.Launch(InstanceSpec.Tagged(MeshFixture.TagKey, "todo") with { Runtime = runtime });
        var honest = mesh.Launch();
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(honest, "enabled");
        // The instance is retried with backoff (a new CSR may be fine), so its status changes again
        // shortly after each failure: wait for the failure and its reason together.
        await mesh.WaitForAsync(
            () => instance.Tag(MeshFixture.TagKey) == "failed"
                && (instance.Tag(MeshFixture.TagKey + ":Status") ?? "").StartsWith("certificate request rejected", StringComparison.Ordinal),
            "failed with the CSR's rejection as its status");
        foreach (var key in FleetAudit.IssuedCertificates(mesh.Aws))
        {
            using var cert = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(mesh.Aws.ReadObject(key)!));
            Assert.DoesNotContain(Foreign, cert.Subject, StringComparison.OrdinalIgnoreCase);
            var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
            Assert.DoesNotContain(Foreign, san?.EnumerateDnsNames() ?? [], StringComparer.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(FleetAudit.IssuedCertificates(mesh.Aws), k => FleetAudit.InstanceOf(k) == instance.InstanceId);
        Assert.False(runtime.Host.IsEnabled);
    }

    [Fact]
    public async Task The_found_csr_of_7784_base64_characters_is_refused_for_its_length_with_the_reason_on_the_status_tag()
    {
        await using var mesh = new MeshFixture();
        var runtime = new ForgingRuntime(new VirtualHost(VirtualHostOptions.Instant), HostileCsrs.HugeModulusAndExponent);
        var instance = mesh.Aws.Fleet.Launch(InstanceSpec.Tagged(MeshFixture.TagKey, "todo") with { Runtime = runtime });
        await mesh.StartControllerAsync(Token);

        var expected = $"certificate request rejected: CSR of {instance.InstanceId} is 7784 base64 characters; at most 5464 (4096 bytes) are accepted";
        await mesh.WaitForAsync(() => instance.Tag(MeshFixture.TagKey) == "failed" && instance.Tag(MeshFixture.TagKey + ":Status") == expected,
            "failed with the CSR's length as its status");

        Assert.DoesNotContain(FleetAudit.IssuedCertificates(mesh.Aws), k => FleetAudit.InstanceOf(k) == instance.InstanceId);
    }

    private static byte[] Forge(string forgery)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Foreign}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Foreign);
        names.AddIpAddress(System.Net.IPAddress.Parse("10.99.99.99"));
        request.CertificateExtensions.Add(names.Build());
        var der = request.CreateSigningRequest();
        switch (forgery)
        {
            case "bad signature":
                der[^3] ^= 0x5A;
                return der;
            case "not a CSR":
                return [.. der.Take(40)];
            default:
                return der;
        }
    }
}
