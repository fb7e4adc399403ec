using Amazon.EC2;
using Amazon.S3;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Cli;

/// <summary>
/// The services of the verbs that are not the controller. Every verb gets its AWS clients from
/// <see cref="AwsClients.AddIpsecMeshAwsClients"/>: <c>run</c> through <see cref="ControllerHost"/>,
/// <c>ca</c> through <see cref="CaServices"/>, <c>status</c> and <c>config validate --vpc</c> through <see cref="ForReading"/>;
/// <c>simulate</c>'s driver (IpsecMesh.Simulation) builds the same: <see cref="ControllerHost"/>, and <see cref="CaServices"/> for
/// <c>--serve</c>'s mesh CA.
/// </summary>
internal static class CliServices
{
    /// <summary>
    /// The read-only view of <c>status</c> and <c>config validate --vpc</c>: the settings (the queue, bucket and keys
    /// not required), an <see cref="Ec2Gateway"/> that does not batch, and <see cref="IAmazonS3"/>.
    /// </summary>
    /// <exception cref="SettingsException">Invalid settings, every one named.</exception>
    public static ServiceProvider ForReading(out IpsecMeshOptions options)
    {
        var configuration = VerbSettings.Build();
        var settings = configuration.GetSection(IpsecMeshOptions.Section).Get<IpsecMeshOptions>() ?? new IpsecMeshOptions();
        var errors = OptionsValidation.Validate(settings, requireAwsResources: false);
        if (errors.Count > 0) throw new SettingsException(errors);
        var services = new ServiceCollection();
        services.AddIpsecMeshAwsClients(configuration, settings.Region);
        services.AddSingleton<IpsecMeshTelemetry>();
        services.AddSingleton<AwsCallMeter>();
        services.AddSingleton(sp => new Ec2Gateway(sp.GetRequiredService<IAmazonEC2>(), settings, TimeProvider.System, TimeSpan.Zero));
        options = settings;
        return services.BuildServiceProvider();
    }
}
