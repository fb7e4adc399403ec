using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>An IMDSv2-only metadata service on loopback: every GET needs the session token.</summary>
internal sealed class FakeImds : IDisposable
{
    public const string Token = "imds-session-token-for-tests";
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeImds(string instanceId, string region)
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(() => ServeAsync(instanceId, region));
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public int UnauthenticatedGets { get; private set; }

    private async Task ServeAsync(string instanceId, string region)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            var (status, body) = Answer(context.Request, instanceId, region);
            context.Response.StatusCode = status;
            var bytes = Encoding.ASCII.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (int Status, string Body) Answer(HttpListenerRequest request, string instanceId, string region)
    {
        var path = request.Url?.AbsolutePath;
        if (request.HttpMethod == "PUT" && path == "/latest/api/token" && request.Headers["X-aws-ec2-metadata-token-ttl-seconds"] is not null)
            return (200, Token);
        if (request.HttpMethod != "GET") return (405, "");
        if (request.Headers["X-aws-ec2-metadata-token"] != Token)
        {
            UnauthenticatedGets++;
            return (401, "");
        }
        return path switch
        {
            "/latest/meta-data/instance-id" => (200, instanceId),
            "/latest/meta-data/placement/region" => (200, region),
            _ => (404, ""),
        };
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
