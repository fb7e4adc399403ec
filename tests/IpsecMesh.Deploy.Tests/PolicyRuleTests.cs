using IpsecMesh.Deploy.Tests.Policies;

namespace IpsecMesh.Deploy.Tests;

public class PolicyRuleTests
{
    public static TheoryData<string> Rules => [.. PolicyRules.All.Keys];

    public static TheoryData<string> RulesTheBrokenFixtureBreaks =>
    [
        "no Action *",
        "no write action on Resource *",
        "KMS scoped",
        "S3 scoped",
        "tag writes limited to the mesh tag keys",
    ];

    [Theory]
    [MemberData(nameof(Rules))]
    public void Stack_satisfies_rule(string rule)
    {
        var violations = PolicyRules.All[rule](Template.Load(RepositoryFiles.Stack)).ToList();

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Theory]
    [MemberData(nameof(RulesTheBrokenFixtureBreaks))]
    public void Broken_fixture_violates_rule(string rule)
    {
        var violations = PolicyRules.All[rule](Template.Load(RepositoryFiles.BrokenTemplate)).ToList();

        Assert.NotEmpty(violations);
    }

    [Fact]
    public void Stack_policies_are_found_in_every_place_they_live()
    {
        var statements = PolicyExtractor.Statements(Template.Load(RepositoryFiles.Stack));

        Assert.Contains(statements, s => s.Kind == PolicyKind.Identity && s.HasAction("ssm:SendCommand") && s.Resources.Any(r => r.Contains(":instance/", StringComparison.Ordinal)));
        Assert.Contains(statements, s => s.Kind == PolicyKind.Key && s.HasAction("kms:Decrypt"));
        Assert.Contains(statements, s => s.Kind == PolicyKind.Bucket);
        Assert.Contains(statements, s => s.Kind == PolicyKind.Queue);
        Assert.Contains(statements, s => s.HasAction("kms:Sign"));
    }
}
