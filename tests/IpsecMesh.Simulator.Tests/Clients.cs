using Amazon;
using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;
using IpsecMesh.Simulator.Sdk;

namespace IpsecMesh.Simulator.Tests;

/// <summary>Real SDK v4 clients wired to one simulator, in process.</summary>
internal sealed class Clients : IDisposable
{
    private static readonly AWSCredentials Credentials = new BasicAWSCredentials("AKIDSIMULATOR", "not-a-secret");

    public Clients(SimulatedAws aws, int maxErrorRetry = 3)
    {
        T Configure<T>(T config) where T : ClientConfig
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(aws.Region);
            config.HttpClientFactory = SimulatedAwsOptions.HttpClientFactory(aws);
            config.MaxErrorRetry = maxErrorRetry;
            return config;
        }
        Ec2 = new AmazonEC2Client(Credentials, Configure(new AmazonEC2Config()));
        Ssm = new AmazonSimpleSystemsManagementClient(Credentials, Configure(new AmazonSimpleSystemsManagementConfig()));
        Kms = new AmazonKeyManagementServiceClient(Credentials, Configure(new AmazonKeyManagementServiceConfig()));
        S3 = new AmazonS3Client(Credentials, Configure(new AmazonS3Config { ForcePathStyle = true }));
        Sqs = new AmazonSQSClient(Credentials, Configure(new AmazonSQSConfig()));
    }

    public AmazonEC2Client Ec2 { get; }
    public AmazonSimpleSystemsManagementClient Ssm { get; }
    public AmazonKeyManagementServiceClient Kms { get; }
    public AmazonS3Client S3 { get; }
    public AmazonSQSClient Sqs { get; }

    public void Dispose()
    {
        Ec2.Dispose();
        Ssm.Dispose();
        Kms.Dispose();
        S3.Dispose();
        Sqs.Dispose();
    }
}
