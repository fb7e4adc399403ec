using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class VirtualHostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<AgentResult> RunAsync(SimulatedAws aws, Clients clients, FakeTimeProvider time, string instanceId, AgentRequest request)
    {
        var sent = await clients.Ssm.SendCommandAsync(AgentCommands.Command(aws, request, instanceId), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var done = await Eventually.Until(
            () => clients.Ssm.GetCommandInvocationAsync(AgentCommands.AgentStep(sent.Command.CommandId, instanceId), Ct),
            i => i.Status != CommandInvocationStatus.InProgress && i.Status != CommandInvocationStatus.Pending);
        return AgentResult.ParseAll(done.StandardOutputContent)[^1];
    }

    private static (X509Certificate2 Ca, ECDsa Key) NewCa()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test mesh CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1)), key);
    }

    private static X509Certificate2 Sign(X509Certificate2 ca, byte[] csrDer, byte[] serial)
    {
        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        return csr.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), serial);
    }

    private static AgentRequest InstallCert(X509Certificate2 cert, X509Certificate2 ca) => AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]>
    {
        ["host.crt"] = Encoding.ASCII.GetBytes(cert.ExportCertificatePem()),
        ["ca-bundle.pem"] = Encoding.ASCII.GetBytes(ca.ExportCertificatePem()),
    });

    [Fact]
    public async Task Csr_then_install_cert_installs_the_certificate_signed_for_the_hosts_own_key()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var host = new VirtualHost(VirtualHostOptions.Instant);
        var instance = aws.Fleet.Launch(new InstanceSpec { Runtime = host });
        using var clients = new Clients(aws);
        var (ca, caKey) = NewCa();
        using var _ = ca;
        using var __ = caKey;

        var csr = await RunAsync(aws, clients, time, instance.InstanceId, AgentRequest.For(AgentVerbs.Csr, new Dictionary<string, string> { ["keyType"] = "ec" }));
        var csrDer = Convert.FromBase64String(csr.GetString("csr")!);
        using var cert = Sign(ca, csrDer, [0x00, 0xab, 0xcd]);
        var installed = await RunAsync(aws, clients, time, instance.InstanceId, InstallCert(cert, ca));

        Assert.True(installed.Ok, installed.Error);
        Assert.Equal("abcd", installed.GetString("serial"));
        Assert.Equal("abcd", host.State.CertSerial);
        Assert.Equal(cert.ExportCertificatePem(), host.State.CertificatePem);
        Assert.Contains($"CN={instance.PrivateDnsName}", CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256).SubjectName.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_cert_for_a_key_the_host_does_not_hold_fails_with_no_matching_key()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var host = new VirtualHost(VirtualHostOptions.Instant);
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = host }).InstanceId;
        using var clients = new Clients(aws);
        var (ca, caKey) = NewCa();
        using var _ = ca;
        using var __ = caKey;
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = Sign(ca, new CertificateRequest("CN=stranger", strangerKey, HashAlgorithmName.SHA256).CreateSigningRequest(), [1]);

        await RunAsync(aws, clients, time, id, AgentRequest.For(AgentVerbs.Csr, new Dictionary<string, string> { ["keyType"] = "rsa" }));
        var result = await RunAsync(aws, clients, time, id, InstallCert(stranger, ca));

        Assert.False(result.Ok);
        Assert.Equal("no_matching_key", result.Code);
        Assert.Null(host.State.CertSerial);
    }

    [Fact]
    public async Task One_batched_install_cert_gives_each_host_its_own_certificate_and_a_host_without_an_entry_not_in_batch()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var hosts = Enumerable.Range(0, 3).Select(_ => new VirtualHost(VirtualHostOptions.Instant)).ToArray();
        var ids = hosts.Select(h => aws.Fleet.Launch(new InstanceSpec { Runtime = h }).InstanceId).ToArray();
        using var clients = new Clients(aws);
        var (ca, caKey) = NewCa();
        using var _ = ca;
        using var __ = caKey;
        var certificates = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < 2; i++)
        {
            var csr = await RunAsync(aws, clients, time, ids[i], AgentRequest.For(AgentVerbs.Csr, new Dictionary<string, string> { ["keyType"] = "ec" }));
            using var cert = Sign(ca, Convert.FromBase64String(csr.GetString("csr")!), [0x10, (byte)(0x20 + i)]);
            certificates.Add(KeyValuePair.Create(ids[i], cert.ExportCertificatePem()));
        }
        await RunAsync(aws, clients, time, ids[2], AgentRequest.For(AgentVerbs.Csr, new Dictionary<string, string> { ["keyType"] = "ec" }));
        var batch = AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]>
        {
            [CertificateBatch.FileName] = CertificateBatch.Render(certificates),
            ["ca-bundle.pem"] = Encoding.ASCII.GetBytes(ca.ExportCertificatePem()),
        });

        var sent = await clients.Ssm.SendCommandAsync(AgentCommands.Command(aws, batch, ids), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var results = new List<AgentResult>();
        foreach (var id in ids)
        {
            var done = await Eventually.Until(
                () => clients.Ssm.GetCommandInvocationAsync(AgentCommands.AgentStep(sent.Command.CommandId, id), Ct),
                i => i.Status != CommandInvocationStatus.InProgress && i.Status != CommandInvocationStatus.Pending);
            results.Add(AgentResult.ParseAll(done.StandardOutputContent)[^1]);
        }

        Assert.Equal(["1020", "1021"], results.Take(2).Select(r => r.GetString("serial")));
        Assert.Equal(certificates[0].Value, hosts[0].State.CertificatePem);
        Assert.Equal(certificates[1].Value, hosts[1].State.CertificatePem);
        Assert.Equal("not_in_batch", results[2].Code);
        Assert.Contains(ids[2], results[2].Error, StringComparison.Ordinal);
        Assert.Null(hosts[2].State.CertSerial);
    }

    [Theory]
    [InlineData("us-east-1", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    public async Task Install_p12_decrypts_its_password_with_its_instance_id_and_arn_as_encryption_context(string region, string partition)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { Region = region }, time);
        var host = new VirtualHost(VirtualHostOptions.Instant);
        var instance = aws.Fleet.Launch(new InstanceSpec { Runtime = host });
        var other = aws.Fleet.Launch(new InstanceSpec());
        using var clients = new Clients(aws);
        var (ca, caKey) = NewCa();
        using var _ = ca;
        using var __ = caKey;
        using var hostKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = Sign(ca, new CertificateRequest("CN=host", hostKey, HashAlgorithmName.SHA256).CreateSigningRequest(), [0x42]);
        using var withKey = cert.CopyWithPrivateKey(hostKey);
        const string password = "correct-horse-battery";
        var p12 = withKey.Export(X509ContentType.Pkcs12, password);

        async Task<AgentResult> InstallWithPasswordFor(SimInstance sealedFor)
        {
            var wrapped = await clients.Kms.EncryptAsync(new EncryptRequest
            {
                KeyId = aws.HostKeyId,
                Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(password)),
                EncryptionContext = new Dictionary<string, string> { ["InstanceId"] = sealedFor.InstanceId, ["InstanceArn"] = sealedFor.Arn },
            }, Ct);
            return await RunAsync(aws, clients, time, instance.InstanceId, AgentRequest.For(AgentVerbs.InstallP12, files: new Dictionary<string, byte[]>
            {
                ["host.p12"] = p12,
                ["p12-password.kms"] = wrapped.CiphertextBlob.ToArray(),
                ["ca-bundle.pem"] = Encoding.ASCII.GetBytes(ca.ExportCertificatePem()),
            }));
        }

        var wrongHost = await InstallWithPasswordFor(other);
        var rightHost = await InstallWithPasswordFor(instance);

        Assert.Equal("kms_failed", wrongHost.Code);
        Assert.True(rightHost.Ok, rightHost.Error);
        Assert.Equal("42", host.State.CertSerial);
        Assert.Equal($"arn:{partition}:ec2:{region}:{aws.AccountId}:instance/{instance.InstanceId}", instance.Arn);
        Assert.Equal(instance.Arn, instance.Metadata.InstanceArn);
    }

    [Fact]
    public async Task An_injected_install_failure_is_reported_as_a_failed_command_with_the_code()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var host = new VirtualHost(VirtualHostOptions.Instant);
        host.FailInstallWith("install_failed", "dnf could not reach the mirror", times: 1);
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = host }).InstanceId;
        using var clients = new Clients(aws);
        var install = AgentRequest.For(AgentVerbs.Install, new Dictionary<string, string> { ["configHash"] = "c0ffee" },
            new Dictionary<string, byte[]> { ["config/ipsec-mesh.conf"] = "conn x"u8.ToArray() });

        var failed = await RunAsync(aws, clients, time, id, install);
        var retried = await RunAsync(aws, clients, time, id, install);

        Assert.Equal("install_failed", failed.Code);
        Assert.True(retried.Ok);
        Assert.Equal("c0ffee", host.State.ConfigHash);
        Assert.Equal("5.2", retried.GetString("libreswan"));
    }
}
