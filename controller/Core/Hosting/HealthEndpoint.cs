using System.Net;
using System.Text;
using IpsecMesh.Core.Leadership;
using IpsecMesh.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// Liveness (<c>/healthz/live</c>: the heartbeat loop ran recently) and readiness (<c>/healthz/ready</c>:
/// AWS answered the start-up reads and, with leader election, this replica leads).
/// </summary>
public sealed class HealthEndpoint(ControllerStatus status, ILeadership leadership, IpsecMeshOptions options, TimeProvider time, ILogger<HealthEndpoint> logger) : BackgroundService
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan FirstBindRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LastBindRetry = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.HealthPort == 0) return;
        // A port held by someone else (often a short-lived outgoing connection) must not leave the task
        // without health checks for its whole life: ECS would replace a controller that works.
        var retry = FirstBindRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var listener = new HttpListener();
            listener.Prefixes.Add($"http://*:{options.HealthPort}/healthz/");
            try
            {
                listener.Start();
            }
            catch (HttpListenerException e)
            {
                Log.HealthUnavailable(logger, options.HealthPort, e.Message, retry);
                try { await Task.Delay(retry, time, stoppingToken); }
                catch (OperationCanceledException) { return; }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastBindRetry.Ticks));
                continue;
            }
            await ServeAsync(listener, stoppingToken);
            return;
        }
    }

    private async Task ServeAsync(HttpListener listener, CancellationToken stoppingToken)
    {
        using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (stoppingToken.IsCancellationRequested) { return; }
            catch (HttpListenerException) { continue; }
            var (code, body) = Answer(context.Request.Url?.AbsolutePath ?? "");
            context.Response.StatusCode = code;
            context.Response.ContentType = "text/plain";
            var bytes = Encoding.UTF8.GetBytes(body + "\n");
            await context.Response.OutputStream.WriteAsync(bytes, stoppingToken);
            context.Response.Close();
        }
    }

    internal (int Code, string Body) Answer(string path)
    {
        var beat = status.LastHeartbeat;
        // Before the loops first beat (start-up reads, or standby) the process is alive; only a stale beat is not.
        var live = beat is null || time.GetUtcNow() - beat < StaleAfter;
        return path.TrimEnd('/') switch
        {
            "/healthz/live" => live ? (200, "live") : (503, $"heartbeat stale since {beat:o}"),
            "/healthz/ready" => Readiness(live),
            _ => (404, "unknown health path"),
        };
    }

    private (int Code, string Body) Readiness(bool live)
    {
        if (!leadership.IsLeader) return (503, "standby: another replica leads");
        if (!status.Started) return (503, "starting: AWS not reached yet");
        return live ? (200, "ready") : (503, "heartbeat stale");
    }
}
