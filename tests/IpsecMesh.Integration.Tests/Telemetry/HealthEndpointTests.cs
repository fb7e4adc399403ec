using System.Net;
using System.Net.Sockets;
using IpsecMesh.Cli;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>Liveness and readiness on the health port, and the <c>healthcheck</c> verb that asks them.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task RunningControllerIsLiveAndReady()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPorts.Next();
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:HealthPort"] = Port(port) });
        await mesh.StartControllerAsync(ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await WaitForStatusAsync(mesh, http, port, "ready", HttpStatusCode.OK, ct);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, port, "live", ct)).Code);
        Assert.Equal((HttpStatusCode.OK, "ready"), await GetAsync(http, port, "ready", ct));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, port, "elsewhere", ct)).Code);
    }

    [Fact]
    public async Task ControllerThatCannotReachAwsIsLiveButNotReady()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPorts.Next();
        await using var mesh = new MeshFixture();
        // A bucket the simulated AWS does not have: the start-up reads fail and are retried.
        var settings = new Dictionary<string, string?>(mesh.Settings)
        {
            ["IpsecMesh:Bucket"] = "no-such-ipsec-mesh-bucket",
            ["IpsecMesh:HealthPort"] = Port(port),
        };
        using var host = ControllerHost.Build(settings, new AwsTransport(mesh.Aws.CreateHandler(), mesh.Aws.Region), mesh.Time,
            logging => logging.ClearProviders().AddProvider(new ListLoggerProvider(mesh.LogSink)));
        await host.StartAsync(ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitForStatusAsync(mesh, http, port, "live", HttpStatusCode.OK, ct);
        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains("Start-up failed", StringComparison.Ordinal)), "a failed start-up");

        var (code, body) = await GetAsync(http, port, "ready", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Contains("AWS not reached", body, StringComparison.Ordinal);
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task HealthEndpointBindsOnceItsPortIsFreed()
    {
        var ct = TestContext.Current.CancellationToken;
        // The local end of an outgoing connection holds its port: binds fail there, connections are refused.
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await squatter.ConnectAsync(peer.LocalEndpoint, ct);
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:HealthPort"] = Port(port) });
        await mesh.StartControllerAsync(ct);
        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains($"Health endpoint on port {port} unavailable", StringComparison.Ordinal)), "a failed bind");

        squatter.Close();
        peer.Stop();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitForStatusAsync(mesh, http, port, "ready", HttpStatusCode.OK, ct);
    }

    [Fact]
    public async Task WithLeaderElectionOnlyTheLeaderIsReady()
    {
        var ct = TestContext.Current.CancellationToken;
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
        await mesh.StartControllerAsync(ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitForStatusAsync(mesh, http, firstPort, "ready", HttpStatusCode.OK, ct);

        mesh.Settings["IpsecMesh:HealthPort"] = Port(secondPort);
        await mesh.StartControllerAsync(ct);
        await WaitForStatusAsync(mesh, http, secondPort, "live", HttpStatusCode.OK, ct);

        var (code, body) = await GetAsync(http, secondPort, "ready", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Contains("standby", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, firstPort, "ready", ct)).Code);
    }

    [Fact]
    public async Task HealthcheckVerbExitsZeroForAReadyControllerAndOneWhereNoneAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPorts.Next();
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:HealthPort"] = Port(port) });
        await mesh.StartControllerAsync(ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitForStatusAsync(mesh, http, port, "ready", HttpStatusCode.OK, ct);
        var verb = new HealthcheckVerb();

        Assert.Equal(0, await verb.RunAsync(new CliArgs(["--port", Port(port)], verb.Switches), ct));
        Assert.Equal(0, await verb.RunAsync(new CliArgs(["--port", Port(port), "--ready", "--json"], verb.Switches), ct));
        Assert.Equal(1, await verb.RunAsync(new CliArgs(["--port", Port(LoopbackPorts.Next())], verb.Switches), ct));
    }

    private static async Task WaitForStatusAsync(MeshFixture mesh, HttpClient http, int port, string check, HttpStatusCode expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var (code, body) = await GetAsync(http, port, check, ct);
                if (code == expected) return;
                last = $"{(int)code} {body}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(100, ct);
        }
        var endpointLogs = mesh.Logs.Where(l => l.Contains("Health endpoint", StringComparison.Ordinal)).TakeLast(3);
        Assert.Fail($"/healthz/{check} on port {port} never answered {(int)expected}; last: {last}; endpoint log: [{string.Join(" | ", endpointLogs)}]");
    }

    private static async Task<(HttpStatusCode Code, string Body)> GetAsync(HttpClient http, int port, string check, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz/{check}"), ct);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync(ct)).Trim());
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
