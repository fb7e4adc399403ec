using System.Text.RegularExpressions;
using IpsecMesh.Deploy.Tests.Policies;
using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests;

/// <summary>
/// Least privilege, statement by statement: every policy statement of the stack is exactly as
/// reviewed (StackPolicy), so any widening (an action, a resource, a principal more; a condition
/// less) fails, and a statement nobody reviewed fails too. The rules that matter most are also
/// shown to catch a stack that breaks them.
/// </summary>
public class LeastPrivilegeTests
{
    private static readonly string StackText = File.ReadAllText(RepositoryFiles.Stack);
    private static readonly IReadOnlyList<PolicyStatement> Statements = PolicyExtractor.Statements(Template.Load(RepositoryFiles.Stack));

    public static TheoryData<string> Reviewed => [.. StackPolicy.Statements.Select(s => s.ToString())];

    [Theory]
    [MemberData(nameof(Reviewed))]
    public void The_statement_is_exactly_as_reviewed(string name)
    {
        var reviewed = StackPolicy.Statements.Single(s => s.ToString() == name);
        var actual = Assert.Single(Statements, s => s.Source == reviewed.Source && s.Sid == reviewed.Sid);

        Assert.Equal(reviewed.Effect, actual.Effect);
        Assert.Equal(reviewed.Principal, Node.Render(actual.Principal));
        Assert.Equal(reviewed.Actions.Order(StringComparer.Ordinal), actual.Actions.Order(StringComparer.Ordinal));
        Assert.Equal(reviewed.Resources.Order(StringComparer.Ordinal), actual.Resources.Order(StringComparer.Ordinal));
        Assert.Equal(reviewed.Condition, Node.Render(actual.Condition));
    }

    [Fact]
    public void Every_statement_of_the_stack_was_reviewed()
    {
        var reviewed = StackPolicy.Statements.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain(Statements.Select(s => $"{s.Source}/{s.Sid}"), name => !reviewed.Contains(name));
        Assert.Equal(Statements.Count, Statements.Select(s => $"{s.Source}/{s.Sid}").Distinct().Count());
    }

    [Fact]
    public void The_host_role_has_no_managed_policy_and_only_its_own_policy()
    {
        var role = Template.Load(RepositoryFiles.Stack).Resource("HostRole").Properties;
        var attached = Template.Load(RepositoryFiles.Stack).ResourcesOfType("AWS::IAM::Policy")
            .Where(p => Node.Render(p.Property("Roles")).Contains("HostRole", StringComparison.Ordinal)).Select(p => p.LogicalId);

        Assert.False(role.ContainsKey("ManagedPolicyArns"), "AmazonSSMManagedInstanceCore lets every host read every SSM parameter of the account");
        Assert.False(role.ContainsKey("Policies"));
        Assert.Equal(["HostRolePolicy"], attached);
    }

    [Fact]
    public void The_collector_image_is_pinned_by_digest_and_a_tag_alone_is_refused()
    {
        var parameter = Template.Load(RepositoryFiles.Stack).Parameters["CollectorImage"];
        var pattern = new Regex(Node.Text(Node.Get(parameter, "AllowedPattern"))!);
        var pinned = Node.Text(Node.Get(parameter, "Default"))!;

        Assert.Matches("^public\\.ecr\\.aws/aws-observability/aws-otel-collector:v0\\.43\\.3@sha256:[0-9a-f]{64}$", pinned);
        Assert.Matches(pattern, pinned);
        Assert.DoesNotMatch(pattern, "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3");
        Assert.DoesNotMatch(pattern, "public.ecr.aws/aws-observability/aws-otel-collector:latest");
    }

    public static TheoryData<string, string, string> Widenings => new()
    {
        {
            "SendCommand limited to the agent document and tagged instances",
            "Resource: !Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/${AgentDocument}\"\n          - Sid: CheckTheAgentDocumentAtStart",
            "Resource: [!Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/${AgentDocument}\", !Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript\"]\n          - Sid: CheckTheAgentDocumentAtStart"
        },
        {
            "SendCommand limited to the agent document and tagged instances",
            "\"Condition\": { \"StringLike\": { \"ssm:resourceTag/${TagKey}\": \"*\" } }",
            "\"Condition\": { \"StringLike\": { \"aws:RequestedRegion\": \"*\" } }"
        },
        {
            "tag writes only on instances carrying the tag",
            "          - Sid: FollowCommandsAndAgents",
            "          - Sid: TagAnything\n            Effect: Allow\n            Action: ec2:CreateTags\n            Resource: !Sub \"arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*\"\n          - Sid: FollowCommandsAndAgents"
        },
        {
            "tag writes only on instances carrying the tag",
            "\"StringLike\": { \"aws:ResourceTag/${TagKey}\": \"*\" },\n                \"ForAllValues:StringEquals\": { \"aws:TagKeys\": [\"${TagKey}\",",
            "\"ForAllValues:StringEquals\": { \"aws:TagKeys\": [\"${TagKey}\","
        },
    };

    [Theory]
    [MemberData(nameof(Widenings))]
    public void A_widened_stack_breaks_its_rule(string rule, string original, string widened)
    {
        Assert.Contains(original, StackText, StringComparison.Ordinal);
        Assert.Empty(PolicyRules.All[rule](Template.Load(RepositoryFiles.Stack)));

        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, StackText.Replace(original, widened, StringComparison.Ordinal));
            Assert.NotEmpty(PolicyRules.All[rule](Template.Load(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("managed")]
    [InlineData("statement")]
    public void A_host_role_that_reads_ssm_parameters_is_caught(string how)
    {
        var widened = how == "managed"
            ? StackText.Replace("            Action: sts:AssumeRole\n\n  # Instead of AmazonSSMManagedInstanceCore",
                "            Action: sts:AssumeRole\n      ManagedPolicyArns:\n        - !Sub \"arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\"\n\n  # Instead of AmazonSSMManagedInstanceCore", StringComparison.Ordinal)
            : StackText.Replace("          - Sid: DownloadRequestInputs",
                "          - Sid: ReadParameters\n            Effect: Allow\n            Action: ssm:GetParameters\n            Resource: \"*\"\n          - Sid: DownloadRequestInputs", StringComparison.Ordinal);
        Assert.NotEqual(StackText, widened);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, widened);
            Assert.NotEmpty(PolicyRules.HostsReadNoParameters(Template.Load(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
