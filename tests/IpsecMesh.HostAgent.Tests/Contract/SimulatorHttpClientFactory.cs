using Amazon.Runtime;
using IpsecMesh.Simulator;

namespace IpsecMesh.HostAgent.Tests.Contract;

/// <summary>Routes an SDK client into the simulator in process.</summary>
internal sealed class SimulatorHttpClientFactory(SimulatedAws aws) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(aws.CreateHandler());

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
}
