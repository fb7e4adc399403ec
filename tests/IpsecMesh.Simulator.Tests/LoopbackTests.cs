using Amazon;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class LoopbackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Clients_pointed_at_the_loopback_endpoint_reach_the_same_simulator()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var instance = aws.Fleet.Launch(new InstanceSpec());
        var endpoint = await aws.ListenAsync(cancellationToken: Ct);
        var credentials = new BasicAWSCredentials("AKIDSIMULATOR", "not-a-secret");
        using var ec2 = new AmazonEC2Client(credentials, new AmazonEC2Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = aws.Region });
        using var s3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = aws.Region });

        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), Ct);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "over/tcp", ContentBody = "yes" }, Ct);

        Assert.Equal("127.0.0.1", endpoint.Host);
        Assert.Equal(instance.InstanceId, described.Reservations.Single().Instances.Single().InstanceId);
        Assert.Equal("yes"u8.ToArray(), aws.ReadObject("over/tcp"));
    }

    [Fact]
    public async Task Stopping_ends_a_long_poll_in_flight_instead_of_waiting_it_out()
    {
        var aws = new SimulatedAws(SimulatorOptions.Default, TimeProvider.System);
        var endpoint = await aws.ListenAsync(cancellationToken: Ct);
        var credentials = new BasicAWSCredentials("AKIDSIMULATOR", "not-a-secret");
        using var sqs = new Amazon.SQS.AmazonSQSClient(credentials, new Amazon.SQS.AmazonSQSConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = aws.Region });
        var poll = sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest { QueueUrl = aws.QueueUrl, WaitTimeSeconds = 20 }, Ct);
        await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await aws.DisposeAsync();
        stopping.Stop();

        // Without the fix the poll holds the stop for the rest of its 20 s; 5 s is the serve verb's promise (a wide margin, not a speed).
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"the stop waited {stopping.Elapsed.TotalSeconds:0.0}s for a long poll");
        await Assert.ThrowsAnyAsync<Exception>(() => poll);
    }

    [Fact]
    public async Task Scaled_time_runs_timers_factor_times_faster()
    {
        var scaled = new ScaledTimeProvider(10_000, DateTimeOffset.UnixEpoch);

        await Task.Delay(TimeSpan.FromMinutes(5), scaled, Ct);

        Assert.True(scaled.GetUtcNow() >= DateTimeOffset.UnixEpoch + TimeSpan.FromMinutes(5));
    }
}
