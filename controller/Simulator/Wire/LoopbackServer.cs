using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Simulator.Wire;

/// <summary>Serves the dispatcher on 127.0.0.1 for other processes, silently (no console or log output).</summary>
internal sealed class LoopbackServer(RequestDispatcher dispatcher, Func<string> summary) : IAsyncDisposable
{
    /// <summary>
    /// Ends requests that wait (an SQS long poll waits up to 20 s) when the server stops: Kestrel lets requests in
    /// flight finish, so a controller's long poll held `simulate --serve` up to 20 s after SIGINT.
    /// </summary>
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    public async Task<Uri> StartAsync(int port, CancellationToken cancellationToken)
    {
        if (_app is not null) throw new InvalidOperationException("the simulator is already listening");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private async Task ServeAsync(HttpContext context)
    {
        // Not AWS: the simulator's own summary (instances by watched tag value, calls answered), for scripts and benchmarks.
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/_simulator/summary")
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(summary(), context.RequestAborted);
            return;
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers) headers[name] = values.ToString();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        // The request target as sent, still percent-encoded: Kestrel's decoded Path would be decoded a second time
        // (an S3 key "pct%41key", sent as "pct%2541key", must not become "pctAkey").
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToUriComponent() + context.Request.QueryString;
        var queryAt = target.IndexOf('?', StringComparison.Ordinal);
        var request = new SimRequest
        {
            Method = context.Request.Method,
            Host = context.Request.Host.Host,
            Authority = context.Request.Host.Value ?? "",
            RawPath = queryAt < 0 ? target : target[..queryAt],
            RawQuery = queryAt < 0 ? "" : target[(queryAt + 1)..],
            Headers = headers,
            Body = buffer.ToArray(),
        };
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var response = await dispatcher.DispatchAsync(request, aborted.Token);
        context.Response.StatusCode = response.Status;
        if (response.ContentType is not null) context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        context.Response.ContentLength = response.ContentLengthOverride ?? response.Body.Length;
        if (!HttpMethods.IsHead(context.Request.Method) && response.Body.Length > 0)
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }
}
