using IpsecMesh.Simulator.Sdk;
using System.Net;
using System.Net.Sockets;
using IpsecMesh.Cli;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>Liveness and readiness on the health port, and the <c>healthcheck</c> verb that asks them.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunningControllerIsLiveAndReady()
    {
        var port = LoopbackPorts.Next();
        await using var mesh = await StartReadyControllerAsync(port);

        Assert.Equal((HttpStatusCode.OK, "live"), await GetAsync(port, "live"));
        Assert.Equal((HttpStatusCode.OK, "ready"), await GetAsync(port, "ready"));
        Assert.Equal((HttpStatusCode.OK, "live"), await GetAsync(port, "live/"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown health path"), await GetAsync(port, "elsewhere"));
        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz/ready"), Ct);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ready\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ControllerThatCannotReachAwsIsLiveButNotReady()
    {
        var port = LoopbackPorts.Next();
        await using var mesh = new MeshFixture();
        // A bucket the simulated AWS does not have: the start-up reads fail and are retried. (The agent
        // document names the bucket it downloads from: one for that bucket, under another name.)
        const string Bucket = "no-such-ipsec-mesh-bucket";
        mesh.Aws.CreateDocument("ipsec-mesh-agent-elsewhere", AgentDocument.ToJson(AgentDocument.Build(AgentScript.Content, new InputsLocation(Bucket, mesh.Aws.Region))));
        var settings = new Dictionary<string, string?>(mesh.Settings)
        {
            ["IpsecMesh:Bucket"] = Bucket,
            ["IpsecMesh:SsmDocument"] = "ipsec-mesh-agent-elsewhere",
            ["IpsecMesh:HealthPort"] = Port(port),
        };
        using var host = ControllerHost.Build(settings, SimulatedAwsOptions.Create(mesh.Aws), SimulatedAwsOptions.HttpClientFactory(mesh.Aws), mesh.Time,
            logging => logging.ClearProviders().AddProvider(new ListLoggerProvider(mesh.LogSink)));
        await host.StartAsync(Ct);
        await WaitForStatusAsync(mesh, port, "live", HttpStatusCode.OK);
        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains("Start-up failed", StringComparison.Ordinal)), "a failed start-up");

        var (code, body) = await GetAsync(port, "ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Contains("AWS not reached", body, StringComparison.Ordinal);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task HealthEndpointBindsOnceItsPortIsFreed()
    {
        // The local end of an outgoing connection holds its port: binds fail there, connections are refused.
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await squatter.ConnectAsync(peer.LocalEndpoint, Ct);
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        await using var mesh = new MeshFixture(settings: HealthPortSettings(port));
        await mesh.StartControllerAsync(Ct);
        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains($"Health endpoint on port {port} unavailable", StringComparison.Ordinal)), "a failed bind");

        squatter.Close();
        peer.Stop();
        await WaitForStatusAsync(mesh, port, "ready", HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithLeaderElectionOnlyTheLeaderIsReady()
    {
        var (firstPort, secondPort) = (LoopbackPorts.Next(), LoopbackPorts.Next());
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:LeaderElection:Enabled"] = "true",
            // Simulated time: five wall seconds of lease at 60 times speed.
            ["IpsecMesh:LeaderElection:LeaseDuration"] = "00:05:00",
            ["IpsecMesh:LeaderElection:RenewDeadline"] = "00:03:00",
            ["IpsecMesh:LeaderElection:RetryPeriod"] = "00:00:30",
        });
        mesh.Settings["IpsecMesh:HealthPort"] = Port(firstPort);
        await mesh.StartControllerAsync(Ct);
        await WaitForStatusAsync(mesh, firstPort, "ready", HttpStatusCode.OK);

        mesh.Settings["IpsecMesh:HealthPort"] = Port(secondPort);
        await mesh.StartControllerAsync(Ct);
        await WaitForStatusAsync(mesh, secondPort, "live", HttpStatusCode.OK);

        var (code, body) = await GetAsync(secondPort, "ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Contains("standby", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(firstPort, "ready")).Code);
    }

    [Fact]
    public async Task HealthcheckVerbExitsZeroForAReadyControllerAndOneWhereNoneAnswers()
    {
        var port = LoopbackPorts.Next();
        await using var mesh = await StartReadyControllerAsync(port);
        var cli = new IpsecMeshCli();

        Assert.Equal(0, await cli.RunAsync(["healthcheck", "--port", Port(port)]));
        Assert.Equal(0, await cli.RunAsync(["healthcheck", "--port", Port(port), "--ready", "--json"]));
        Assert.Equal(1, await cli.RunAsync(["healthcheck", "--port", Port(LoopbackPorts.Next())]));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A controller over the simulated AWS whose health endpoint on <paramref name="port"/> answered ready.</summary>
    private async Task<MeshFixture> StartReadyControllerAsync(int port)
    {
        var mesh = new MeshFixture(settings: HealthPortSettings(port));
        try
        {
            await mesh.StartControllerAsync(Ct);
            await WaitForStatusAsync(mesh, port, "ready", HttpStatusCode.OK);
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    private async Task WaitForStatusAsync(MeshFixture mesh, int port, string check, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var (code, body) = await GetAsync(port, check);
                if (code == expected) return;
                last = $"{(int)code} {body}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(100, Ct);
        }
        var endpointLogs = mesh.Logs.Where(l => l.Contains("Health endpoint", StringComparison.Ordinal)).TakeLast(3);
        Assert.Fail($"/healthz/{check} on port {port} never answered {(int)expected}; last: {last}; endpoint log: [{string.Join(" | ", endpointLogs)}]");
    }

    private async Task<(HttpStatusCode Code, string Body)> GetAsync(int port, string check)
    {
        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz/{check}"), Ct);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync(Ct)).Trim());
    }

    private static Dictionary<string, string?> HealthPortSettings(int port) => new() { ["IpsecMesh:HealthPort"] = Port(port) };

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
