using Amazon;
using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// Builds the AWS SDK v4 clients. Without a transport they use the default credential chain and the
/// SDK's own endpoint resolution, which honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_&lt;SERVICE&gt;
/// (LocalStack). With a transport they talk to the in-process simulator.
/// </summary>
public sealed class AwsClientFactory(AwsTransport? transport, string? region)
{
    private static readonly AWSCredentials SimulatorCredentials = new BasicAWSCredentials("simulated", "simulated");

    public IAmazonEC2 CreateEc2() => Create(new AmazonEC2Config(), "ec2", (c, cfg) => new AmazonEC2Client(c, cfg), cfg => new AmazonEC2Client(cfg));

    public IAmazonSimpleSystemsManagement CreateSsm() =>
        Create(new AmazonSimpleSystemsManagementConfig(), "ssm", (c, cfg) => new AmazonSimpleSystemsManagementClient(c, cfg), cfg => new AmazonSimpleSystemsManagementClient(cfg));

    public IAmazonKeyManagementService CreateKms() =>
        Create(new AmazonKeyManagementServiceConfig(), "kms", (c, cfg) => new AmazonKeyManagementServiceClient(c, cfg), cfg => new AmazonKeyManagementServiceClient(cfg));

    public IAmazonS3 CreateS3() =>
        Create(new AmazonS3Config { ForcePathStyle = transport is not null || Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is not null },
            "s3", (c, cfg) => new AmazonS3Client(c, cfg), cfg => new AmazonS3Client(cfg));

    public IAmazonSQS CreateSqs() => Create(new AmazonSQSConfig(), "sqs", (c, cfg) => new AmazonSQSClient(c, cfg), cfg => new AmazonSQSClient(cfg));

    private TClient Create<TClient, TConfig>(TConfig config, string service, Func<AWSCredentials, TConfig, TClient> withCredentials, Func<TConfig, TClient> withChain)
        where TConfig : ClientConfig
    {
        config.MaxErrorRetry = 5;
        config.RetryMode = RequestRetryMode.Standard;
        if (transport is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(transport.Region);
            config.ServiceURL = $"http://{service}.{transport.Region}.simulated.invalid";
            config.AuthenticationRegion = transport.Region;
            config.HttpClientFactory = new HandlerHttpClientFactory(transport.Handler);
            return withCredentials(SimulatorCredentials, config);
        }
        if (!string.IsNullOrEmpty(region)) config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        return withChain(config);
    }
}
