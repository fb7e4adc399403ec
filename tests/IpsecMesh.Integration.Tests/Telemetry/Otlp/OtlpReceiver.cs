using System.IO.Compression;
using System.Net;
using IpsecMesh.Tests.Shared;

namespace IpsecMesh.Integration.Tests.Telemetry.Otlp;

/// <summary>
/// A real OTLP/HTTP protobuf receiver on 127.0.0.1: accepts <c>/v1/metrics</c> and <c>/v1/traces</c>,
/// answers 200 with an empty export response and keeps what it decoded.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly List<ReceivedMetric> _metrics = [];
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<string> _problems = [];

    public OtlpReceiver()
    {
        (_listener, Port) = LoopbackPorts.StartHttpListener(port => $"http://127.0.0.1:{port}/");
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ReceivedMetric> Metrics { get { lock (_metrics) return [.. _metrics]; } }
    public IReadOnlyList<ReceivedSpan> Spans { get { lock (_spans) return [.. _spans]; } }
    public IReadOnlyList<string> Problems { get { lock (_problems) return [.. _problems]; } }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            try
            {
                context.Response.StatusCode = Receive(context.Request.Url?.AbsolutePath, context.Request.ContentType, await ReadBodyAsync(context.Request));
            }
            catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                lock (_problems) _problems.Add($"{context.Request.Url?.AbsolutePath}: {e.Message}");
                context.Response.StatusCode = 400;
            }
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }

    private int Receive(string? path, string? contentType, byte[] body)
    {
        if (contentType != "application/x-protobuf")
        {
            lock (_problems) _problems.Add($"{path}: content type {contentType}");
            return 415;
        }
        switch (path)
        {
            case "/v1/metrics":
                var metrics = OtlpDecoder.Metrics(body).ToList();
                lock (_metrics) _metrics.AddRange(metrics);
                return 200;
            case "/v1/traces":
                var spans = OtlpDecoder.Spans(body).ToList();
                lock (_spans) _spans.AddRange(spans);
                return 200;
            default:
                return 404;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        using var buffer = new MemoryStream();
        var input = request.Headers["Content-Encoding"] == "gzip" ? new GZipStream(request.InputStream, CompressionMode.Decompress) : request.InputStream;
        await using (input) await input.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
