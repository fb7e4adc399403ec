using System.Net;
using System.Net.Http.Headers;

namespace IpsecMesh.Simulator.Wire;

/// <summary>The in-process transport: hands SDK requests straight to the dispatcher, no sockets.</summary>
internal sealed class InProcessHandler(RequestDispatcher dispatcher) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers) headers[name] = string.Join(",", values);
        var body = Array.Empty<byte>();
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers) headers[name] = string.Join(",", values);
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        var uri = request.RequestUri ?? throw new InvalidOperationException("request has no URI");
        var simRequest = new SimRequest
        {
            Method = request.Method.Method,
            Host = uri.Host,
            Authority = uri.Authority,
            RawPath = uri.AbsolutePath,
            RawQuery = uri.Query.TrimStart('?'),
            Headers = headers,
            Body = body,
        };
        var response = await dispatcher.DispatchAsync(simRequest, cancellationToken);
        return ToHttp(response, request);
    }

    private static HttpResponseMessage ToHttp(SimResponse response, HttpRequestMessage request)
    {
        var message = new HttpResponseMessage((HttpStatusCode)response.Status)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(response.Body),
        };
        if (response.ContentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(response.ContentType);
        message.Content.Headers.ContentLength = response.ContentLengthOverride ?? response.Body.Length;
        foreach (var (name, value) in response.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }
}
