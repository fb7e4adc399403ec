using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>The services of <c>ipsec-mesh ca</c> (and of <c>simulate --serve</c>'s mesh CA): the CA administration and what it needs (S3, KMS, the PKI), not the controller's.</summary>
public static class CaServices
{
    /// <param name="configuration">The settings (<see cref="VerbSettings.Build"/>).</param>
    /// <param name="aws">The AWS SDK options (the simulator's); null: the configuration's and the SDK's default chain.</param>
    /// <param name="http">The SDK's transport instead of the network; null: the network.</param>
    /// <exception cref="Options.SettingsException">Invalid settings, every one named.</exception>
    public static ServiceProvider Build(IConfiguration configuration, Action<ILoggingBuilder> logging, AWSOptions? aws = null, HttpClientFactory? http = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging);
        services.AddIpsecMeshAws(configuration, aws, http, time: null, forController: false);
        return services.BuildServiceProvider();
    }
}
