using System.CommandLine;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh healthcheck [--port P] [--ready] [--json]</c>: asks the running controller's health endpoint; for container HEALTHCHECKs.</summary>
public static class HealthcheckCommand
{
    /// <summary>The port when --port is not given: IpsecMesh__HealthPort when it is a port number, else 8080.</summary>
    public static int DefaultPort =>
        int.TryParse(Environment.GetEnvironmentVariable("IpsecMesh__HealthPort"), out var p) && p is >= 1 and <= 65_535 ? p : 8080;

    public static Command Create()
    {
        var port = CliOptions.WholeNumber("--port", 1, 65_535, "the controller's health port (default: IpsecMesh__HealthPort, else 8080)");
        var ready = CliOptions.Switch("--ready", "ask /healthz/ready instead of /healthz/live");
        var json = CliOptions.Json("one object: check, httpStatus, healthy, detail");
        var command = new Command("healthcheck", """
            exit 0 when the local controller is live (or ready, with --ready).
            Asks http://127.0.0.1:PORT/healthz/live (or /healthz/ready) of a controller running on this
            host or container; exits 0 when it answers 200, 1 otherwise.
            """) { port, ready, json };
        command.SetAction((parsed, cancellationToken) =>
            RunAsync(parsed.GetValue(port) ?? DefaultPort, parsed.GetValue(ready), parsed.GetValue(json), cancellationToken));
        return command;
    }

    /// <summary>GETs /healthz/live or /healthz/ready on 127.0.0.1:<paramref name="port"/> (3 s timeout).</summary>
    /// <returns>0 when it answered 200, 1 otherwise (including no answer).</returns>
    public static async Task<int> RunAsync(int port, bool ready, bool json, CancellationToken cancellationToken)
    {
        var path = ready ? "ready" : "live";
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
