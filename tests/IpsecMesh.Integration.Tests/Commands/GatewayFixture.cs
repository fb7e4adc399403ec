using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.Pki.Storage;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Throttling;
using Microsoft.Extensions.Logging.Abstractions;

namespace IpsecMesh.Integration.Tests.Commands;

/// <summary>The controller's SSM gateway (with its input store) on a simulated AWS, for tests of sending alone.</summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    public GatewayFixture(Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        Aws = new SimulatedAws(SimulatorOptions.Default with { Throttle = ThrottleProfile.None, CommandDeliveryLatency = TimeSpan.Zero }, TimeProvider.System);
        var handler = Aws.CreateHandler();
        var transport = wrap is null ? handler : wrap(handler);
        var options = new IpsecMeshOptions { Region = Aws.Region, Bucket = Aws.BucketName, CommandTimeout = TimeSpan.FromMinutes(10) };
        var telemetry = new IpsecMeshTelemetry();
        Inputs = new HostInputStore(new S3ObjectStore(SimulatedClients.Create<Amazon.S3.IAmazonS3>(Aws, transport), Aws.BucketName), TimeProvider.System, NullLogger<HostInputStore>.Instance);
        Gateway = new SsmGateway(SimulatedClients.Create<Amazon.SimpleSystemsManagement.IAmazonSimpleSystemsManagement>(Aws, transport), options, TimeProvider.System, telemetry, TimeSpan.FromMilliseconds(200),
            new AgentDocumentBinding(options), Inputs, NullLogger<SsmGateway>.Instance);
    }

    public SimulatedAws Aws { get; }
    public HostInputStore Inputs { get; }
    public SsmGateway Gateway { get; }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Aws.DisposeAsync();
    }
}
