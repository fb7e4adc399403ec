using System.Collections.Concurrent;

namespace IpsecMesh.Integration.Tests.Leadership;

/// <summary>Counts one replica's AWS requests by operation ("AmazonSQS.ReceiveMessage", "ec2", "s3").</summary>
public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public ConcurrentDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public int Count(string operation) => Counts.GetValueOrDefault(operation);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First()
            : request.Content?.Headers.ContentType?.MediaType == "application/x-www-form-urlencoded" ? "ec2" : "s3";
        Counts.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return base.SendAsync(request, cancellationToken);
    }
}
