namespace IpsecMesh.Core.Cloud;

/// <summary>An in-process transport for the AWS SDK clients (the simulator's handler), instead of the network.</summary>
public sealed record AwsTransport(HttpMessageHandler Handler, string Region);
