using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

public class CidrParserTests
{
    [Theory]
    [InlineData("172.31.0.0/16", "172.31.0.0/16")]
    [InlineData("10.0.0.5/32", "10.0.0.5/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("fd00:ec2::/32", "fd00:ec2::/32")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    public void Accepts_a_network_address_with_a_prefix(string text, string expected)
    {
        var network = CidrParser.TryParse(text, out var error);

        Assert.Null(error);
        Assert.Equal(expected, network?.ToString());
    }

    [Theory]
    [InlineData("172.31.0.1/16", "host bits set (did you mean 172.31.0.0/16?)")]
    [InlineData("10.0.0.5", "no prefix length (write 10.0.0.5/32)")]
    [InlineData("2001:db8::1", "no prefix length (write 2001:db8::1/128)")]
    [InlineData("10.0.0.0/33", "not a prefix length between 0 and 32")]
    [InlineData("10.0.0.0/", "not a prefix length")]
    [InlineData("10.0.0.0/-1", "not a prefix length")]
    [InlineData("10.0.0.0/ 8", "not a prefix length")]
    [InlineData("fd00::/129", "not a prefix length between 0 and 128")]
    [InlineData("300.0.0.0/8", "not an IP address")]
    [InlineData("fe80::1%eth0/128", "not an IP address")]
    [InlineData("vpc-1234", "not a CIDR")]
    public void Rejects_anything_else_with_a_reason(string text, string reason)
    {
        var network = CidrParser.TryParse(text, out var error);

        Assert.Null(network);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
