using Amazon.Runtime;

namespace IpsecMesh.Simulator.Sdk;

/// <summary>Gives an AWS SDK client an <see cref="HttpClient"/> over a fixed handler (the simulated AWS) instead of the network.</summary>
internal sealed class InProcessHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(handler, disposeHandler: false) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };

    // The SDK caches clients process-wide by config string: two simulators in one process would share a handler.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => "ipsec-mesh-in-process";
}
