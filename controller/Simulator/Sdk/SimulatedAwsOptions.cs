using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;

namespace IpsecMesh.Simulator.Sdk;

/// <summary>
/// The <see cref="AWSOptions"/> that point SDK clients at one simulator in process: its region, fixed credentials, the
/// endpoint <c>http://aws.REGION.simulated.invalid</c> (the simulator finds the service from the SigV4 scope), path-style
/// S3. <see cref="AWSOptions"/> has no place for the transport (its DefaultClientConfig copies a fixed list of settings,
/// without <see cref="ClientConfig.HttpClientFactory"/>), so <see cref="HttpClientFactory"/> gives that separately.
/// </summary>
public static class SimulatedAwsOptions
{
    private static readonly AWSCredentials Credentials = new BasicAWSCredentials("simulated", "simulated");

    /// <summary>Options for <paramref name="aws"/>.</summary>
    /// <param name="wrap">Wraps the in-process handler (a test's fault injection or request log); null: the handler as is.</param>
    public static AWSOptions Create(SimulatedAws aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        var options = new AWSOptions { Region = RegionEndpoint.GetBySystemName(aws.Region), Credentials = Credentials };
        var config = (DefaultClientConfig)options.DefaultClientConfig;
        config.ServiceURL = $"http://aws.{aws.Region}.simulated.invalid";
        config.AuthenticationRegion = aws.Region;
        config.ServiceSpecificSettings["ForcePathStyle"] = "true";
        return options;
    }

    /// <summary>The SDK transport into <paramref name="aws"/>: every client's requests go to its in-process handler.</summary>
    public static HttpClientFactory HttpClientFactory(SimulatedAws aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return HttpClientFactory(aws.CreateHandler());
    }

    /// <summary>The SDK transport over <paramref name="handler"/>: the simulator's handler (<see cref="SimulatedAws.CreateHandler"/>), or a test's wrapper around it.</summary>
    public static HttpClientFactory HttpClientFactory(HttpMessageHandler handler) => new InProcessHttpClientFactory(handler);
}
