using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;
using IpsecMesh.Pki;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// install-p12 with a loopback IMDSv2 and a stand-in `aws` that plays KMS under the stack's host key policy: it
/// decrypts only with the encryption context the controller's PKI seals under (<see cref="HostSecretContext"/>),
/// whose InstanceArn is this instance's ARN, and nothing more.
/// </summary>
public class InstallP12Tests
{
    private const string InstanceId = "i-0123456789abcdef0";
    private const string AccountId = "111122223333";
    private const string Password = "p12-password-from-kms-Zx81";

    /// <summary>The context the controller encrypts this instance's password under, as JSON pairs (order is free, as in KMS).</summary>
    private static (string IdPair, string ArnPair) ControllerContext(string partition, string region)
    {
        var identity = new HostIdentity(InstanceId, $"arn:{partition}:ec2:{region}:{AccountId}:instance/{InstanceId}", "", [], []);
        var context = HostSecretContext.Of(identity);
        Assert.Equal(2, context.Count);
        static string Pair(string key, string value) => JsonSerializer.Serialize(key) + ":" + JsonSerializer.Serialize(value);
        return (Pair(HostSecretContext.InstanceIdKey, context[HostSecretContext.InstanceIdKey]),
            Pair(HostSecretContext.InstanceArnKey, context[HostSecretContext.InstanceArnKey]));
    }

    private static string FakeAws(string root, (string IdPair, string ArnPair) allowed) => $$"""
        #!/bin/bash
        printf '%s\n' "$*" >>'{{root}}/aws-argv'
        context="" blob=""
        while [ $# -gt 0 ]; do
          case $1 in
            --encryption-context) context=$2; shift ;;
            --ciphertext-blob) blob=${2#fileb://}; shift ;;
          esac
          shift
        done
        printf '%s' "$context" >'{{root}}/aws-context'
        id_pair='{{allowed.IdPair}}' arn_pair='{{allowed.ArnPair}}'
        case $context in
          "{$id_pair,$arn_pair}" | "{$arn_pair,$id_pair}") ;;
          *)
            echo "An error occurred (AccessDeniedException) when calling the Decrypt operation: no resource-based policy allows the kms:Decrypt action" >&2
            exit 254 ;;
        esac
        if [ "$(cat "$blob")" != "sealed:{{InstanceId}}" ]; then
          echo "An error occurred (InvalidCiphertextException) when calling the Decrypt operation" >&2
          exit 254
        fi
        printf '%s' '{{Password}}' | base64 -w0
        echo
        """;

    /// <param name="imdsPartition">What IMDS says at meta-data/services/partition; null for an IMDS without it.</param>
    /// <param name="keyPolicyPartition">The partition in the instance ARN the key policy compares with.</param>
    private static async Task<(AgentSandbox Sandbox, FakeImds Imds)> SandboxAsync(
        string region = "eu-west-1", string? imdsPartition = "aws", string keyPolicyPartition = "aws")
    {
        Prerequisites.Require("flock", "certutil", "pk12util", "openssl", "curl");
        var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();
        var aws = Path.Combine(sandbox.Root, "aws");
        File.WriteAllText(aws, FakeAws(sandbox.Root, ControllerContext(keyPolicyPartition, region)));
        Assert.Equal(0, (await ProcessRunner.RunAsync("chmod", ["0700", aws], cancellationToken: TestContext.Current.CancellationToken)).ExitCode);
        var imds = new FakeImds(InstanceId, region, AccountId, imdsPartition);
        sandbox.Environment["IPSEC_MESH_AWS_CLI"] = aws;
        sandbox.Environment["IPSEC_MESH_IMDS_URL"] = imds.Url;
        return (sandbox, imds);
    }

    private static AgentRequest Request(byte[] p12, string sealedFor, byte[] bundle) =>
        AgentRequest.For(AgentVerbs.InstallP12, files: new Dictionary<string, byte[]>
        {
            ["host.p12"] = p12,
            ["p12-password.kms"] = Encoding.ASCII.GetBytes($"sealed:{sealedFor}"),
            ["ca-bundle.pem"] = bundle,
        });

    private static byte[] Pkcs12(TestCa ca, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=controller made", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var certificate = ca.Sign(csr, [serial]);
        using var withKey = certificate.CopyWithPrivateKey(key);
        return withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, Password);
    }

    [Fact]
    public async Task Install_p12_decrypts_the_password_for_this_instance_and_installs_key_and_certificate()
    {
        var (sandbox, imds) = await SandboxAsync();
        using var _ = sandbox;
        using var __ = imds;
        using var ca = new TestCa();

        var result = await sandbox.RunAsync(Request(Pkcs12(ca, 0x31), InstanceId, ca.BundlePem));

        var installed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(installed.Ok, result.ToString());
        Assert.Equal("31", installed.GetString("serial"));
        Assert.Contains("ipsec-mesh-host", await sandbox.NssListingAsync(), StringComparison.Ordinal);
        Assert.Single((await sandbox.NssListingAsync("-K")).Split('\n'), l => l.StartsWith('<'));
        Assert.Equal(0, imds.UnauthenticatedGets);
        Assert.DoesNotContain(Password, File.ReadAllText(Path.Combine(sandbox.Root, "aws-argv")), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeImds.Token, File.ReadAllText(Path.Combine(sandbox.Root, "aws-argv")), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, File.ReadAllText(Path.Combine(sandbox.StateDir, "agent.log")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(sandbox.StateDir, "work.*"));
    }

    [Theory]
    [InlineData("eu-west-1", "aws", "aws")]
    [InlineData("cn-north-1", "aws-cn", "aws-cn")]
    [InlineData("cn-northwest-1", null, "aws-cn")]
    [InlineData("us-gov-west-1", null, "aws-us-gov")]
    [InlineData("us-east-2", null, "aws")]
    public async Task The_context_is_the_controllers_with_the_arn_built_from_the_identity_document_and_partition(
        string region, string? imdsPartition, string partition)
    {
        var (sandbox, imds) = await SandboxAsync(region, imdsPartition, partition);
        using var _ = sandbox;
        using var __ = imds;
        using var ca = new TestCa();

        var result = await sandbox.RunAsync(Request(Pkcs12(ca, 0x33), InstanceId, ca.BundlePem));

        Assert.True(Assert.Single(AgentResult.ParseAll(result.Stdout)).Ok, result.ToString());
        var sent = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(sandbox.Root, "aws-context")));
        var identity = new HostIdentity(InstanceId, $"arn:{partition}:ec2:{region}:{AccountId}:instance/{InstanceId}", "", [], []);
        Assert.Equal(HostSecretContext.Of(identity).OrderBy(p => p.Key), sent!.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task An_instance_whose_arn_is_not_the_one_the_key_policy_sees_fails_kms_failed()
    {
        // IMDS says aws-cn while IAM sees an aws ARN: the contexts disagree, and KMS refuses.
        var (sandbox, imds) = await SandboxAsync("cn-north-1", "aws-cn", keyPolicyPartition: "aws");
        using var _ = sandbox;
        using var __ = imds;
        using var ca = new TestCa();

        var result = await sandbox.RunAsync(Request(Pkcs12(ca, 0x34), InstanceId, ca.BundlePem));

        Assert.Equal("kms_failed", Assert.Single(AgentResult.ParseAll(result.Stdout)).Code);
        Assert.Contains("AccessDeniedException", File.ReadAllText(Path.Combine(sandbox.StateDir, "agent.log")), StringComparison.Ordinal);
        Assert.DoesNotContain("ipsec-mesh", await sandbox.NssListingAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_sealed_for_another_instance_fails_kms_failed_and_installs_nothing()
    {
        var (sandbox, imds) = await SandboxAsync();
        using var _ = sandbox;
        using var __ = imds;
        using var ca = new TestCa();

        var result = await sandbox.RunAsync(Request(Pkcs12(ca, 0x32), "i-0fedcba9876543210", ca.BundlePem));

        Assert.Equal("kms_failed", Assert.Single(AgentResult.ParseAll(result.Stdout)).Code);
        Assert.Equal(8, result.ExitCode);
        Assert.DoesNotContain("ipsec-mesh", await sandbox.NssListingAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installing_the_same_p12_twice_is_idempotent()
    {
        var (sandbox, imds) = await SandboxAsync();
        using var _ = sandbox;
        using var __ = imds;
        using var ca = new TestCa();
        var request = Request(Pkcs12(ca, 0x43), InstanceId, ca.BundlePem);
        var first = await sandbox.RunAsync(request);
        var (certificates, keys) = (await sandbox.NssListingAsync(), await sandbox.NssListingAsync("-K"));

        var second = await sandbox.RunAsync(request);

        var again = Assert.Single(AgentResult.ParseAll(second.Stdout));
        Assert.True(again.Ok, second.ToString());
        Assert.Equal(AgentResult.ParseAll(first.Stdout)[0].Fields.ToJsonString(), again.Fields.ToJsonString());
        Assert.Contains("host certificate already installed", second.Stderr, StringComparison.Ordinal);
        Assert.Equal((certificates, keys), (await sandbox.NssListingAsync(), await sandbox.NssListingAsync("-K")));
        Assert.Empty(Directory.GetDirectories(sandbox.StateDir, "work.*"));
    }

    [Fact]
    public async Task A_second_p12_replaces_the_first_and_its_key()
    {
        var (sandbox, imds) = await SandboxAsync();
        using var _ = sandbox;
        using var __ = imds;
        using var ca = new TestCa();
        Assert.True(AgentResult.ParseAll((await sandbox.RunAsync(Request(Pkcs12(ca, 0x41), InstanceId, ca.BundlePem))).Stdout)[0].Ok);

        var result = await sandbox.RunAsync(Request(Pkcs12(ca, 0x42), InstanceId, ca.BundlePem));

        Assert.Equal("42", Assert.Single(AgentResult.ParseAll(result.Stdout)).GetString("serial"));
        // pk12util labels the key with the PKCS#12 name; pluto finds it through the certificate.
        Assert.Single((await sandbox.NssListingAsync("-K")).Split('\n'), l => l.StartsWith('<'));
        Assert.Single((await sandbox.NssListingAsync()).Split('\n'), l => l.StartsWith("ipsec-mesh-host ", StringComparison.Ordinal));
    }
}
