using Amazon;
using Amazon.EC2;
using Amazon.Extensions.NETCore.Setup;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;
using IpsecMesh.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// The one place the AWS SDK v4 clients (EC2, SSM, SQS, S3, KMS) are built, for every verb: from
/// <see cref="AWSOptions"/> through AWSSDK.Extensions.NETCore.Setup, with up to 5 retries in the SDK's standard mode.
/// Without supplied options they come from the configuration's <c>AWS</c> section (<c>GetAWSOptions</c>), the region
/// from <c>IpsecMesh:Region</c> when set, credentials and endpoints from the SDK's default chain (which honours
/// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_&lt;SERVICE&gt;: LocalStack, <c>simulate --serve</c>).
/// </summary>
public static class AwsClients
{
    /// <summary>
    /// Registers <see cref="AWSOptions"/> and the five clients as singletons. <paramref name="aws"/> and
    /// <paramref name="http"/> are what the simulator and the tests supply to reach an in-process AWS.
    /// </summary>
    /// <param name="region">The AWS region name (e.g. eu-west-1); null or empty: the SDK's (AWS_REGION, profile).</param>
    /// <param name="aws">The options to build from; null: from <paramref name="configuration"/>.</param>
    /// <param name="http">The SDK's transport instead of the network; null: the SDK's own.</param>
    public static IServiceCollection AddIpsecMeshAwsClients(this IServiceCollection services, IConfiguration configuration, string? region,
        AWSOptions? aws = null, HttpClientFactory? http = null)
    {
        var options = aws ?? FromConfiguration(configuration, region);
        services.AddDefaultAWSOptions(options);
        // EC2, SSM and SQS calls are counted and traced by the AwsCallMeter when one is registered; S3 and KMS are not.
        services.AddSingleton(sp => Create<IAmazonEC2>(options, http, sp.GetService<AwsCallMeter>(), "ec2"));
        services.AddSingleton(sp => Create<IAmazonSimpleSystemsManagement>(options, http, sp.GetService<AwsCallMeter>(), "ssm"));
        services.AddSingleton(sp => Create<IAmazonSQS>(options, http, sp.GetService<AwsCallMeter>(), "sqs"));
        services.AddSingleton(_ => Create<IAmazonS3>(options, http));
        services.AddSingleton(_ => Create<IAmazonKeyManagementService>(options, http));
        return services;
    }

    /// <summary>One client of <typeparamref name="T"/> (e.g. <see cref="IAmazonS3"/>) built the way the controller builds it.</summary>
    /// <param name="http">The SDK's transport instead of the network; null: the SDK's own.</param>
    /// <param name="meter">Counts and traces each call of the client as <paramref name="service"/>.operation (<see cref="AwsCallMeterPipeline"/>); null: not metered.</param>
    /// <param name="service">The service label of the meter's count and span (ec2, ssm, sqs).</param>
    public static T Create<T>(AWSOptions options, HttpClientFactory? http = null, AwsCallMeter? meter = null, string service = "")
        where T : class, IAmazonService
    {
        ArgumentNullException.ThrowIfNull(options);
        AwsCallMeterPipeline.Register();
        options.DefaultClientConfig.MaxErrorRetry = 5;
        options.DefaultClientConfig.RetryMode = RequestRetryMode.Standard;
        var client = options.CreateServiceClient<T>();
        // AWSOptions.DefaultClientConfig has no HttpClientFactory (4.0.102.10 copies a fixed list of settings); the SDK
        // reads the client's config for it when the first request is sent, so setting it here, before any, takes effect.
        if (http is not null) ((ClientConfig)client.Config).HttpClientFactory = http;
        if (meter is not null) AwsCallMeterPipeline.Bind(client.Config, meter, service);
        return client;
    }

    private static AWSOptions FromConfiguration(IConfiguration configuration, string? region)
    {
        var options = configuration.GetAWSOptions();
        if (!string.IsNullOrEmpty(region)) options.Region = RegionEndpoint.GetBySystemName(region);
        // Custom endpoints (LocalStack) serve buckets by path, not by host name.
        if (Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is not null)
            options.DefaultClientConfig.ServiceSpecificSettings["ForcePathStyle"] = "true";
        return options;
    }
}
