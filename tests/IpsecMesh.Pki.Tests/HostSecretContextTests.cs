using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

/// <summary>The encryption context of a host secret: what the agent sends back and the stack's host key policy checks.</summary>
public sealed class HostSecretContextTests
{
    [Theory]
    [InlineData("arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0")]
    [InlineData("arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0123456789abcdef0")]
    [InlineData("arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0123456789abcdef0")]
    [InlineData("arn:aws-iso-b:ec2:us-isob-east-1:123456789012:instance/i-0123456789abcdef0")]
    public void Context_is_exactly_the_instance_id_and_its_arn(string arn)
    {
        var identity = Hosts.Identity("i-0123456789abcdef0") with { InstanceArn = arn };

        var context = HostSecretContext.Of(identity);

        Assert.Equal(HostSecretContext.Keys.Order(StringComparer.Ordinal), context.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("i-0123456789abcdef0", context["InstanceId"]);
        Assert.Equal(arn, context["InstanceArn"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("i-0123456789abcdef0")]
    [InlineData("arn:aws:ec2:eu-west-1:123456789012:instance/i-0fedcba9876543210")]
    [InlineData("arn:aws:ec2:eu-west-1:1234:instance/i-0123456789abcdef0")]
    [InlineData("arn:aws:ec2:eu-west-1:123456789012:volume/i-0123456789abcdef0")]
    [InlineData("arn:aws:iam::123456789012:instance/i-0123456789abcdef0")]
    [InlineData("arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0/extra")]
    public void An_arn_that_is_not_the_instances_own_is_refused(string arn)
    {
        var identity = Hosts.Identity("i-0123456789abcdef0") with { InstanceArn = arn };

        var error = Assert.Throws<ArgumentException>(() => HostSecretContext.Of(identity));

        Assert.Contains("i-0123456789abcdef0", error.Message, StringComparison.Ordinal);
    }
}
