namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh healthcheck</c>: asks the running controller's liveness endpoint; for container HEALTHCHECKs.</summary>
public sealed class HealthcheckVerb : ICliVerb
{
    public string Name => "healthcheck";
    public string Summary => "exit 0 when the local controller is live (or ready, with --ready)";
    public string Usage => """
        usage: ipsec-mesh healthcheck [--port 8080] [--ready] [--json]

        Asks http://127.0.0.1:PORT/healthz/live (or /healthz/ready) of a controller running on this
        host or container; exits 0 when it answers 200, 1 otherwise.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "ready", "json" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var port = args.GetInt("port", int.TryParse(Environment.GetEnvironmentVariable("IpsecMesh__HealthPort"), out var p) ? p : 8080, 1, 65535);
        var path = args.Has("ready") ? "ready" : "live";
        var json = args.Has("json");
        args.EnsureAllUsed();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        int status;
        string body;
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz/{path}"), cancellationToken);
            status = (int)response.StatusCode;
            body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            status = 0;
            body = $"no answer on port {port}: {e.GetType().Name}";
        }
        if (json) JsonOutput.Write(new { check = path, httpStatus = status, healthy = status == 200, detail = body });
        else Console.WriteLine($"{path}: {(status == 200 ? "ok" : "unhealthy")} ({body})");
        return status == 200 ? 0 : 1;
    }
}
