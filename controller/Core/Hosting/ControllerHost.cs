using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>Builds the controller host the way <c>ipsec-mesh run</c> does, for the simulator, tests and the end-to-end driver.</summary>
public static class ControllerHost
{
    /// <param name="settings">Configuration keys such as <c>IpsecMesh:QueueUrl</c>; they override appsettings and the environment.</param>
    /// <param name="aws">The AWS SDK options (the simulator's); null: the configuration's and the SDK's default chain.</param>
    /// <param name="http">The SDK's transport instead of the network (the simulator's in-process handler); null: the network.</param>
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, AWSOptions? aws = null, HttpClientFactory? http = null, TimeProvider? time = null,
        Action<ILoggingBuilder>? logging = null, string[]? args = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args ?? [],
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        if (logging is null) builder.Logging.AddIpsecMeshLogging();
        else logging(builder.Logging);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        builder.Services.AddIpsecMesh(builder.Configuration, aws, http, time);
        builder.Services.AddIpsecMeshTelemetry(builder.Configuration);
        return builder.Build();
    }
}
