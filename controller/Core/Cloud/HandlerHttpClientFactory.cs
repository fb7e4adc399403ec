using Amazon.Runtime;

namespace IpsecMesh.Core.Cloud;

/// <summary>Gives the SDK clients an HttpClient over a fixed handler (the simulated AWS).</summary>
internal sealed class HandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(handler, disposeHandler: false) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };

    // The SDK caches clients process-wide by config string: two simulators in one process would share a handler.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => "ipsec-mesh-in-process";
}
