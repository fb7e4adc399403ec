using Amazon.Runtime;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Sdk;

namespace IpsecMesh.Integration.Tests.Support;

/// <summary>An SDK client built as the controller builds its own (<see cref="AwsClients"/>), talking to a simulator in process.</summary>
internal static class SimulatedClients
{
    /// <param name="handler">The transport; null: the simulator's own handler.</param>
    public static T Create<T>(SimulatedAws aws, HttpMessageHandler? handler = null) where T : class, IAmazonService =>
        AwsClients.Create<T>(SimulatedAwsOptions.Create(aws), SimulatedAwsOptions.HttpClientFactory(handler ?? aws.CreateHandler()));
}
