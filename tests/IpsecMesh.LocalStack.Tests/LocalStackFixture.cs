using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using DotNet.Testcontainers.Configurations;
using Testcontainers.LocalStack;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>
/// One LocalStack container (the image docker-compose.yml pins) for the whole assembly, with the
/// compose loop's init hook in ready.d, so the tests also prove that hook creates what it promises.
/// </summary>
public sealed class LocalStackFixture : IAsyncLifetime
{
    public const string Image = "localstack/localstack:4.14.0";
    public const string Region = "us-east-1";
    public const string Bucket = "ipsec-mesh-local";
    private static readonly TimeSpan InitHookLimit = TimeSpan.FromMinutes(3);

    private LocalStackContainer? _container;

    public string ServiceUrl => _container?.GetConnectionString() ?? throw new InvalidOperationException("LocalStack is not running");

    public async ValueTask InitializeAsync()
    {
        if (DockerEngine.UnreachableReason is not null)
        {
            return;
        }

        // What docker-compose.yml's agent-document service writes for the hook: this build's agent document for the hook's bucket.
        var document = AgentDocument.ToJson(AgentDocument.Build(AgentScript.Content, new InputsLocation(Bucket, Region)));
        _container = new LocalStackBuilder(Image)
            .WithEnvironment("SERVICES", "s3,sqs,kms,ec2,ssm,events,sts")
            .WithEnvironment("SQS_ENDPOINT_STRATEGY", "path")
            .WithResourceMapping(new FileInfo(InitHook), new FileInfo("/etc/localstack/init/ready.d/init-aws.sh"), 0, 0, Unix.FileMode755)
            .WithResourceMapping(System.Text.Encoding.UTF8.GetBytes(document), $"/etc/ipsec-mesh/agent-document/{AgentDocument.Name}.json", 0, 0, Unix.FileMode644)
            .Build();
        await _container.StartAsync();
        await WaitForInitHookAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>Skips the calling test, with the reason, when there is no engine to run LocalStack on.</summary>
    public static void RequireDocker()
    {
        if (DockerEngine.UnreachableReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    public AmazonS3Client S3() => new(Credentials, new AmazonS3Config { ServiceURL = ServiceUrl, ForcePathStyle = true, AuthenticationRegion = Region });

    public AmazonSQSClient Sqs() => new(Credentials, new AmazonSQSConfig { ServiceURL = ServiceUrl, AuthenticationRegion = Region });

    public AmazonKeyManagementServiceClient Kms() => new(Credentials, new AmazonKeyManagementServiceConfig { ServiceURL = ServiceUrl, AuthenticationRegion = Region });

    public AmazonSimpleSystemsManagementClient Ssm() => new(Credentials, new AmazonSimpleSystemsManagementConfig { ServiceURL = ServiceUrl, AuthenticationRegion = Region });

    public AmazonEC2Client Ec2() => new(Credentials, new AmazonEC2Config { ServiceURL = ServiceUrl, AuthenticationRegion = Region });

    private static BasicAWSCredentials Credentials => new("test", "test");

    private static string InitHook
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var hook = Path.Combine(directory.FullName, "deploy", "localstack", "init-aws.sh");
                if (File.Exists(hook))
                {
                    return hook;
                }
            }

            throw new FileNotFoundException("deploy/localstack/init-aws.sh not found above " + AppContext.BaseDirectory);
        }
    }

    // The ready.d hook runs after the container reports ready; the tests need what it creates.
    private async Task WaitForInitHookAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(ServiceUrl) };
        using var limit = new CancellationTokenSource(InitHookLimit);
        while (true)
        {
            var status = await http.GetStringAsync(new Uri("/_localstack/init/ready", UriKind.Relative), limit.Token);
            if (status.Replace(" ", string.Empty, StringComparison.Ordinal).Contains("\"completed\":true", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), limit.Token);
        }
    }
}
