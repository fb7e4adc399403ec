using Amazon.Runtime;

namespace IpsecMesh.Simulator.Tests;

/// <summary>Plugs the simulator's in-process handler into an SDK client; no caching, so each simulator keeps its own.</summary>
internal sealed class SimulatorHttpClientFactory(SimulatedAws aws) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(aws.CreateHandler());

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
}
