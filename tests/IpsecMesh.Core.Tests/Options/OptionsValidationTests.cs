using IpsecMesh.Core.Options;

namespace IpsecMesh.Core.Tests.Options;

public class OptionsValidationTests
{
    private static readonly IpsecMeshOptions Valid = new()
    {
        QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/ipsec-mesh-events",
        Bucket = "ipsec-mesh-123456789012",
        CaKmsKeyId = "alias/ipsec-mesh-ca",
    };

    [Fact]
    public void Valid_settings_have_no_errors() => Assert.Empty(OptionsValidation.Validate(Valid, requireAwsResources: true));

    [Fact]
    public void Vpc_policy_settings_are_checked_naming_the_setting_and_the_item()
    {
        var errors = OptionsValidation.Validate(Valid with
        {
            VpcRangesGroup = "clear",
            ManagedClearExceptions = "eni-0123456789abcdef0, 10.0.0.1",
            ManagedClearWindow = TimeSpan.Zero,
        }, requireAwsResources: true);

        Assert.Contains("IpsecMesh:VpcRangesGroup: 'clear' must be 'private-or-clear', 'private' or empty (off)", errors);
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:ManagedClearExceptions: item 2: '10.0.0.1' has no prefix length", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:ManagedClearWindow:", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Every_error_is_reported_at_once_and_names_its_setting()
    {
        var bad = Valid with
        {
            VpcId = "my-production-vpc",
            QueueUrl = null,
            Bucket = "Not_A_Bucket",
            Workers = 0,
            RenewAfter = TimeSpan.FromDays(40),
            TagKey = "aws:reserved",
        };
        var errors = OptionsValidation.Validate(bad, requireAwsResources: true);

        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:VpcId: 'my-production-vpc' is not a VPC id", StringComparison.Ordinal) && e.Contains("VPC name is not accepted", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:QueueUrl: is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:Bucket:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:Workers:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:RenewAfter:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:TagKey:", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Theory]
    [InlineData("vpc-0a1b2c3d", true)]
    [InlineData("vpc-0a1b2c3d4e5f67890", true)]
    [InlineData("vpc-XYZ", false)]
    [InlineData("vpc-0a1b2c3d; rm -rf /", false)]
    public void Vpc_restriction_must_be_a_vpc_id(string vpc, bool ok) =>
        Assert.Equal(ok, OptionsValidation.Validate(Valid with { VpcId = vpc }, true).Count == 0);

    [Fact]
    public void Leader_election_timings_must_nest()
    {
        var errors = OptionsValidation.Validate(Valid with
        {
            LeaderElection = new LeaderElectionOptions { Enabled = true, LeaseDuration = TimeSpan.FromSeconds(5), RenewDeadline = TimeSpan.FromSeconds(10) },
        }, true);
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:LeaderElection:RenewDeadline", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:05", true)]
    [InlineData("2.00:00:00", true)]
    [InlineData("00:00:00.500", false)]
    [InlineData("00:00:04", false)]
    [InlineData("00:10:00.250", false)]
    [InlineData("2.00:00:01", false)]
    [InlineData("30.00:00:00", false)]
    public void Command_timeout_is_whole_seconds_within_what_aws_runShellScript_honours(string timeout, bool ok)
    {
        var errors = OptionsValidation.Validate(Valid with { CommandTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) }, true);

        Assert.Equal(ok, errors.Count == 0);
        if (!ok) Assert.StartsWith("IpsecMesh:CommandTimeout:", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("ipsec-mesh-agent-0123456789ab", true)]
    [InlineData("AWS-RunShellScript", false)]
    [InlineData("aws-runshellscript", false)]
    [InlineData("x", false)]
    [InlineData("name with spaces", false)]
    public void The_document_override_names_an_account_document_never_AWS_RunShellScript(string? document, bool ok) =>
        Assert.Equal(ok, OptionsValidation.Validate(Valid with { SsmDocument = document }, true).Count == 0);

    [Theory]
    [InlineData("arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", true)]
    [InlineData("arn:aws-cn:kms:cn-north-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", true)]
    [InlineData("alias/ipsec-mesh-bucket", false)]
    [InlineData("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", false)]
    public void The_bucket_key_is_named_by_its_arn_as_the_bucket_policy_compares_it(string key, bool ok) =>
        Assert.Equal(ok, OptionsValidation.Validate(Valid with { BucketKmsKeyId = key }, true).Count == 0);

    [Theory]
    [InlineData(1, 0, 200, null)]
    [InlineData(16, 300, 1000, null)]
    [InlineData(0, 5, 200, "IpsecMesh:RotationConcurrency: 0 must be between 1 and 1024")]
    [InlineData(1, -1, 200, "IpsecMesh:RotationSettle: -00:00:01 must be between 0 and 5 minutes")]
    [InlineData(1, 301, 200, "IpsecMesh:RotationSettle: 00:05:01 must be between 0 and 5 minutes")]
    [InlineData(1, 5, 1001, "IpsecMesh:LatePeerLimit: 1001 must be between 0 and 1000 (the host agent's limit)")]
    [InlineData(1, 5, -1, "IpsecMesh:LatePeerLimit: -1 must be between 0 and 1000 (the host agent's limit)")]
    public void Rotation_and_late_peer_settings_are_bounded(int concurrency, int settleSeconds, int latePeers, string? error)
    {
        var errors = OptionsValidation.Validate(Valid with
        {
            RotationConcurrency = concurrency,
            RotationSettle = TimeSpan.FromSeconds(settleSeconds),
            LatePeerLimit = latePeers,
        }, true);

        if (error is null) Assert.Empty(errors);
        else Assert.Equal(error, Assert.Single(errors));
    }

    [Fact]
    public void Rotations_are_serialised_and_late_peers_capped_by_default()
    {
        Assert.Equal(1, Valid.RotationConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(5), Valid.RotationSettle);
        Assert.Equal(200, Valid.LatePeerLimit);
    }
}
