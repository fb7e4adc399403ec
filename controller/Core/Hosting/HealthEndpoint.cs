using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// Serves <c>/healthz/live</c> (<see cref="LivenessCheck"/>) and <c>/healthz/ready</c> (<see cref="ReadinessCheck"/>) with
/// ASP.NET Core health checks on Kestrel, on every interface at <see cref="IpsecMeshOptions.HealthPort"/> (0: off).
/// Answers: 200 or 503, <c>text/plain</c>, the check's one-line description; any other path 404 "unknown health path".
/// A port that cannot be bound (often held by a short-lived outgoing connection) is tried again, 5 s doubling to 1 min,
/// for the process's whole life: ECS must not replace a working controller for want of health checks.
/// </summary>
public sealed class HealthEndpoint(LivenessCheck liveness, ReadinessCheck readiness, IpsecMeshOptions options, TimeProvider time,
    ILogger<HealthEndpoint> logger) : BackgroundService
{
    // After the n-th failed bind in a row: 5 s, doubling, at most 1 min.
    private readonly ResiliencePipeline _bind = LoopRetry.Create(time, LoopRetry.Doubling(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)),
        e => e is IOException, (e, retry) => HostingLog.HealthUnavailable(logger, options.HealthPort, e.Message, retry));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.HealthPort == 0) return;
        WebApplication app;
        try
        {
            app = await _bind.ExecuteAsync(BindAsync, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try { await Task.Delay(Timeout.Infinite, stoppingToken); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    /// <summary>Kestrel started on the health port; a port in use is an <see cref="IOException"/>.</summary>
    private async ValueTask<WebApplication> BindAsync(CancellationToken cancellationToken)
    {
        var app = Build(options.HealthPort);
        try
        {
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>A minimal web application: Kestrel on <paramref name="port"/>, the two checks, nothing read from files.</summary>
    private WebApplication Build(int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.ListenAnyIP(port));
        builder.Services.AddRoutingCore();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("heartbeat", liveness, HealthStatus.Unhealthy, [LivenessCheck.Tag]))
            .Add(new HealthCheckRegistration("controller", readiness, HealthStatus.Unhealthy, [ReadinessCheck.Tag]));
        var app = builder.Build();
        app.UseRouting();
        app.MapHealthChecks("/healthz/live", Only(LivenessCheck.Tag));
        app.MapHealthChecks("/healthz/ready", Only(ReadinessCheck.Tag));
        app.MapFallback(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("unknown health path\n");
        });
        return app;
    }

    private static HealthCheckOptions Only(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = WriteAsync,
    };

    /// <summary>The body: the description of the (one) selected check and a newline, as text/plain.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain";
        var body = report.Entries.Values.Select(e => e.Description).FirstOrDefault(d => d is not null) ?? report.Status.ToString();
        return context.Response.WriteAsync(body + "\n");
    }
}
