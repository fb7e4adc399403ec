using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class ThrottlingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_SDK_retries_a_throttled_call_by_itself_and_succeeds()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        aws.Fleet.Launch(new InstanceSpec());
        using var clients = new Clients(aws);
        aws.ThrottleNext("ec2:DescribeInstances", 2);

        var response = await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), Ct);

        Assert.Single(response.Reservations);
        Assert.Equal(new ApiCallTally(1, 2, 0), aws.Calls["ec2:DescribeInstances"]);
    }

    [Fact]
    public async Task A_json_service_throttle_is_retried_by_the_SDK_too()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        aws.ThrottleNext("kms:GenerateRandom", 1);

        var random = await clients.Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 16 }, Ct);

        Assert.Equal(16, random.Plaintext.Length);
        Assert.Equal(new ApiCallTally(1, 1, 0), aws.Calls["kms:GenerateRandom"]);
    }

    [Fact]
    public async Task An_empty_token_bucket_answers_RequestLimitExceeded_503_until_simulated_time_refills_it()
    {
        var time = new FakeTimeProvider();
        var options = SimulatorOptions.Default with { Throttle = ThrottleProfile.Aws.WithRule("ec2:Describe*", new TokenBucketSettings(2, 1)) };
        await using var aws = new SimulatedAws(options, time);
        using var clients = new Clients(aws, maxErrorRetry: 0);

        await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), Ct);
        await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), Ct);
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), Ct));
        time.Advance(TimeSpan.FromSeconds(1));
        await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), Ct);

        Assert.Equal("RequestLimitExceeded", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(new ApiCallTally(3, 1, 0), aws.Calls["ec2:DescribeInstances"]);
    }

    [Fact]
    public void The_lower_bound_is_the_slowest_buckets_time_beyond_its_burst()
    {
        var calls = new ApiCallCounters();
        for (var i = 0; i < 300; i++) calls.Record("ec2:DescribeInstances", ApiCallOutcome.Ok);
        for (var i = 0; i < 150; i++) calls.Record("ec2:CreateTags", ApiCallOutcome.Ok);

        Assert.Equal(10, calls.LowerBoundSeconds(ThrottleProfile.Aws));
    }

    [Fact]
    public void Options_report_every_problem_at_once()
    {
        var errors = (SimulatorOptions.Default with
        {
            MaxReceiveCount = 0,
            BucketName = "No",
            Faults = new FaultOptions { ThrottleProbability = 2 },
        }).Validate();

        Assert.Equal(3, errors.Count);
        Assert.Throws<ArgumentException>(() => new SimulatedAws(SimulatorOptions.Default with { MaxReceiveCount = 0 }, TimeProvider.System));
    }
}
