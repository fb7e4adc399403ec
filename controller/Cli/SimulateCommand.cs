using System.CommandLine;
using System.CommandLine.Parsing;
using IpsecMesh.Simulation;

namespace IpsecMesh.Cli;

/// <summary>
/// <c>ipsec-mesh simulate [...]</c>: the real controller against the embedded simulated AWS fleet; with <c>--serve</c>, the
/// simulated AWS alone on 127.0.0.1 for other processes. Binds the options to <see cref="SimulationSettings"/> or
/// <see cref="ServeSettings"/>, calls the driver (<see cref="SimulationRun"/>, <see cref="ServeRun"/>, in IpsecMesh.Simulation)
/// and prints its report.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var serve = CliOptions.Switch("--serve", "the simulated AWS and its virtual hosts only, no controller, on 127.0.0.1:P until SIGINT or SIGTERM (exit 0)");
        var instances = CliOptions.WholeNumber("--instances", 0, 100_000, "fleet size (default 50; with --serve: instances launched at the first start, default 3, untagged but for Name=sim-host-K)");
        var seed = CliOptions.WholeNumber("--seed", 0, int.MaxValue, "seed of every random choice, so a run can be repeated (default 1)");
        var throttle = CliOptions.Choice("--throttle", "aws: EC2's published throttling buckets; none: no throttling", "aws", "none");
        var speed = CliOptions.Number("--speed", 1, 10_000, "simulated seconds per wall second (default 30; with --serve 1)");
        var faults = CliOptions.Choice("--faults", "chaos: throttling and 5xx faults, lost/duplicated/reordered events, failing hosts", "none", "chaos");
        var timeout = CliOptions.WholeNumber("--timeout", 1, 86_400, "wall-clock seconds before giving up (default 600)");
        var export = CliOptions.Text("--export", "DIR", "write ca.pem, issued/<instance-id>.pem and instances.json at the end");
        var listen = CliOptions.Switch("--listen", "also serve the simulated AWS on 127.0.0.1 (endpoint printed) for other tools");
        var json = CliOptions.Json("print one JSON object at the end instead of progress");
        var verbose = CliOptions.Switch("--verbose", "the controller's JSON logs on standard output");
        var port = CliOptions.WholeNumber("--port", 0, 65_535, "with --serve: TCP port on 127.0.0.1 (default 4566; 0: any free port)");
        var tag = new Option<string[]>("--tag") { Description = "with --serve: also tag every launched instance KEY=VALUE (e.g. IPSec=todo); may be repeated", HelpName = "KEY=VALUE" };
        tag.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
                if (value.IndexOf('=', StringComparison.Ordinal) < 1) result.AddError($"--tag '{value}' must be KEY=VALUE");
        });
        var state = CliOptions.Text("--state", "DIR", "with --serve: load the account from DIR/account.json at start, save it there at stop");
        var envFile = CliOptions.Text("--env-file", "FILE", "with --serve: also write the export lines to FILE (for `. FILE` in scripts)");
        var empty = CliOptions.Switch("--empty", "with --serve: an account with no queues, bucket, keys, rules, instances or CA (for deploy/localstack/init-aws.sh)");
        var noCa = CliOptions.Switch("--no-ca", "with --serve: do not create the mesh CA (run `ipsec-mesh ca init --if-missing` yourself)");
        var command = new Command("simulate", """
            run the controller against an embedded simulated AWS fleet (no AWS account needed).
            Starts a simulated AWS (EC2, SSM, KMS, S3, SQS) in process, launches N instances tagged IPSec=todo
            whose virtual hosts speak the host agent protocol, creates a mesh CA, and runs the real controller
            with the real AWS SDK clients until every instance is IPSec=enabled (or the wall-clock timeout): exit 0
            when converged, 1 when not. Stops at the first SIGINT/SIGTERM.
            --serve: the simulated AWS only; prints the endpoint and the environment to export for `ipsec-mesh run`,
            `ipsec-mesh status` and the AWS CLI; creates the mesh CA when the account has none. Simulated time runs at
            the wall clock's speed unless --speed F.
            """) { serve, instances, seed, throttle, speed, faults, timeout, export, listen, json, verbose, port, tag, state, envFile, empty, noCa };
        Option[] runOnly = [faults, timeout, export, listen, json, verbose];
        Option[] serveOnly = [port, tag, state, envFile, empty, noCa];
        command.Validators.Add(result =>
        {
            var serving = result.GetValue(serve);
            foreach (var option in serving ? runOnly : serveOnly)
                if (result.GetResult(option) is { Implicit: false })
                    result.AddError(serving ? $"{option.Name} does not go with --serve" : $"{option.Name} goes only with --serve");
            // The token, not the value: reading the value of an option that failed to parse throws.
            if (!serving && result.GetResult(instances)?.Tokens is [{ Value: var text }] && int.TryParse(text, out var n) && n == 0)
                result.AddError("--instances '0' must be a whole number from 1 to 100000");
        });
        command.SetAction((parsed, cancellationToken) => parsed.GetValue(serve)
            ? ServeAsync(new ServeSettings
            {
                Port = parsed.GetValue(port) ?? 4566,
                Instances = parsed.GetValue(instances) ?? 3,
                Seed = parsed.GetValue(seed) ?? 1,
                AwsThrottling = parsed.GetValue(throttle) == "aws",
                Speed = parsed.GetValue(speed) ?? 1,
                Tags = Tags(parsed.GetValue(tag)),
                StateDirectory = parsed.GetValue(state),
                EnvFile = parsed.GetValue(envFile),
                Empty = parsed.GetValue(empty),
                CreateCa = !parsed.GetValue(noCa),
            }, cancellationToken)
            : RunAsync(new SimulationSettings
            {
                Instances = parsed.GetValue(instances) ?? 50,
                Seed = parsed.GetValue(seed) ?? 1,
                Chaos = parsed.GetValue(faults) == "chaos",
                AwsThrottling = parsed.GetValue(throttle) == "aws",
                Speed = parsed.GetValue(speed) ?? 30,
                WallTimeout = TimeSpan.FromSeconds(parsed.GetValue(timeout) ?? 600),
                ExportDirectory = parsed.GetValue(export),
                Json = parsed.GetValue(json),
                Listen = parsed.GetValue(listen),
                Verbose = parsed.GetValue(verbose),
            }, cancellationToken));
        return command;
    }

    /// <summary>KEY=VALUE pairs as a dictionary (a later KEY wins); the parser has checked the shape.</summary>
    public static IReadOnlyDictionary<string, string> Tags(IEnumerable<string>? pairs)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            tags[pair[..eq]] = pair[(eq + 1)..];
        }
        return tags;
    }

    /// <summary>Runs the simulation; prints the report (text or JSON).</summary>
    /// <returns>0 when every instance converged, 1 when not.</returns>
    public static async Task<int> RunAsync(SimulationSettings settings, CancellationToken cancellationToken)
    {
        var report = await new SimulationRun(settings, settings.Json ? Console.Error : Console.Out).RunAsync(cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Write(report);
        }
        else
        {
            Console.WriteLine($"{(report.Converged ? "converged" : "NOT converged")}: {string.Join(", ", report.Phases.Select(p => $"{p.Value} {p.Key}"))} "
                + (report.SimulatedSecondsToConverge is { } converged ? $"after {SimulationRun.Format(converged)} simulated seconds " : "")
                + $"(run: {SimulationRun.Format(report.SimulatedSeconds)} simulated seconds, {SimulationRun.Format(report.WallSeconds)} s wall)");
            Console.WriteLine($"AWS calls {report.ApiCalls.Values.Sum()} (throttled {report.Throttled}); certificates issued {report.CertificatesIssued}; "
                + $"EC2+SSM calls per instance {SimulationRun.Format(report.Ec2SsmCallsPerInstance)}");
            if (report.SteadyResyncCalls is { } steady)
                Console.WriteLine("one steady-state resync: " + (steady.Count == 0 ? "no calls" : string.Join(", ", steady.Select(c => $"{c.Key} {c.Value}"))));
            if (settings.ExportDirectory is not null) Console.WriteLine($"exported to {settings.ExportDirectory}");
        }
        return report.Converged ? 0 : 1;
    }

    /// <summary>Serves the simulated AWS until cancelled (exit 0).</summary>
    public static async Task<int> ServeAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        return await new ServeRun(settings, Console.Out).RunAsync(cancellationToken);
    }
}
