using System.Net;
using System.Text;
using IpsecMesh.Tests.Shared;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// An IMDSv2-only metadata service on loopback: every GET needs the session token. It serves the instance
/// identity document, and <c>meta-data/services/partition</c> unless <c>partition</c> is null (an older IMDS).
/// </summary>
internal sealed class FakeImds : IDisposable
{
    public const string Token = "imds-session-token-for-tests";
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _instanceId;
    private readonly string _region;
    private readonly string _accountId;
    private readonly string? _partition;

    public FakeImds(string instanceId, string region, string accountId, string? partition)
    {
        (_instanceId, _region, _accountId, _partition) = (instanceId, region, accountId, partition);
        (_listener, Port) = LoopbackPorts.StartHttpListener(port => $"http://127.0.0.1:{port}/");
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public int UnauthenticatedGets { get; private set; }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            var (status, body) = Answer(context.Request);
            context.Response.StatusCode = status;
            var bytes = Encoding.ASCII.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (int Status, string Body) Answer(HttpListenerRequest request)
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
            "/latest/meta-data/instance-id" => (200, _instanceId),
            "/latest/meta-data/placement/region" => (200, _region),
            "/latest/meta-data/services/partition" when _partition is not null => (200, _partition),
            "/latest/dynamic/instance-identity/document" => (200, IdentityDocument()),
            _ => (404, ""),
        };
    }

    /// <summary>Laid out as IMDS lays it out: pretty-printed, spaces around the colons.</summary>
    private string IdentityDocument() => $$"""
        {
          "accountId" : "{{_accountId}}",
          "architecture" : "x86_64",
          "availabilityZone" : "{{_region}}a",
          "imageId" : "ami-0123456789abcdef0",
          "instanceId" : "{{_instanceId}}",
          "instanceType" : "t3.micro",
          "pendingTime" : "2026-01-05T08:00:00Z",
          "privateIp" : "10.0.1.23",
          "region" : "{{_region}}",
          "version" : "2017-09-30"
        }
        """;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
