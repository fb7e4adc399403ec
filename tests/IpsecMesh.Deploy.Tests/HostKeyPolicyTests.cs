using IpsecMesh.Deploy.Tests.Policies;
using IpsecMesh.Deploy.Tests.Yaml;
using IpsecMesh.Pki;

namespace IpsecMesh.Deploy.Tests;

/// <summary>
/// The host key's policies against the encryption context the PKI seals host secrets under
/// (<see cref="HostSecretContext"/>), which the host agent sends back: if the two disagree, KMS refuses every host.
/// </summary>
public class HostKeyPolicyTests
{
    private static readonly IReadOnlyList<PolicyStatement> Statements = PolicyExtractor.Statements(Template.Load(RepositoryFiles.Stack));

    private static IReadOnlyList<string> PkiContextKeys => [.. HostSecretContext.Keys.Order(StringComparer.Ordinal)];

    private static IReadOnlyDictionary<string, object?> Operator(PolicyStatement statement, string name) =>
        statement.Condition.TryGetValue(name, out var block) && block is IReadOnlyDictionary<string, object?> keys
            ? keys
            : throw new Xunit.Sdk.XunitException($"{statement} has no {name} condition");

    private static IReadOnlyList<string> AllowedContextKeys(PolicyStatement statement) =>
        [.. Node.OneOrMany(Operator(statement, "ForAllValues:StringEquals")["kms:EncryptionContextKeys"]).Select(Node.Render).Order(StringComparer.Ordinal)];

    private static IReadOnlyList<string> RequiredContextKeys(PolicyStatement statement) =>
        [.. Operator(statement, "Null").Where(p => Node.Render(p.Value) == "false")
            .Select(p => p.Key["kms:EncryptionContext:".Length..]).Order(StringComparer.Ordinal)];

    [Fact]
    public void A_host_decrypts_only_with_its_own_instance_arn_and_exactly_the_pki_context_keys()
    {
        var decrypt = Assert.Single(Statements, s => s.Source == "HostKey" && s.HasAction("kms:Decrypt"));

        Assert.Equal("${ec2:SourceInstanceARN}", Node.Render(Operator(decrypt, "StringEquals")["kms:EncryptionContext:" + HostSecretContext.InstanceArnKey]));
        Assert.Equal(PkiContextKeys, AllowedContextKeys(decrypt));
        Assert.Contains(HostSecretContext.InstanceIdKey, RequiredContextKeys(decrypt));
    }

    [Fact]
    public void The_controller_encrypts_host_secrets_only_with_exactly_the_pki_context_keys()
    {
        var encrypts = Statements
            .Where(s => s.HasAction("kms:Encrypt") && (s.Source == "HostKey" || s.Resources.Contains("!GetAtt HostKey.Arn")))
            .ToList();

        Assert.Equal([PolicyKind.Identity, PolicyKind.Key], encrypts.Select(s => s.Kind).Order());
        Assert.All(encrypts, encrypt =>
        {
            Assert.Equal(PkiContextKeys, AllowedContextKeys(encrypt));
            Assert.Equal(PkiContextKeys, RequiredContextKeys(encrypt));
        });
    }
}
