using IpsecMesh.Cli.Simulation;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh simulate</c>: the real controller against the embedded simulated AWS fleet.</summary>
public sealed class SimulateVerb : ICliVerb
{
    public string Name => "simulate";
    public string Summary => "run the controller against an embedded simulated AWS fleet (no AWS account needed)";
    public string Usage => """
        usage: ipsec-mesh simulate [--instances N] [--seed S] [--faults none|chaos] [--throttle aws|none]
                                   [--speed F] [--timeout SECONDS] [--export DIR] [--listen] [--json] [--verbose]
               ipsec-mesh simulate --serve [--port P] [--instances N] [--tag KEY=VALUE] [--state DIR] [--env-file FILE]
                                   [--seed S] [--throttle aws|none] [--speed F] [--empty] [--no-ca]

        Starts a simulated AWS (EC2, SSM, KMS, S3, SQS) in process, launches N instances tagged IPSec=todo
        whose virtual hosts speak the host agent protocol, creates a mesh CA, and runs the real controller
        with the real AWS SDK clients until every instance is IPSec=enabled (or the wall-clock timeout).
        Simulated time runs F times faster than the wall clock (default 30). Stops at the first SIGINT/SIGTERM.

          --instances N     fleet size (default 50)
          --seed S          seed of every random choice, so a run can be repeated (default 1)
          --faults chaos    throttling and 5xx faults, lost/duplicated/reordered events, failing hosts
          --throttle none   switch off AWS's throttling model (default aws: EC2's published buckets)
          --export DIR      write ca.pem, issued/<instance-id>.pem and instances.json at the end
          --listen          also serve the simulated AWS on 127.0.0.1 (endpoint printed) for other tools
          --json            print one JSON object at the end instead of progress
          --verbose         the controller's JSON logs on standard output

        --serve: the simulated AWS and its virtual hosts only, no controller, on 127.0.0.1:P (default 4566), until
        SIGINT or SIGTERM (exit 0). Prints the endpoint and the environment to export for `ipsec-mesh run`,
        `ipsec-mesh status` and the AWS CLI; creates the mesh CA when the account has none. Simulated time runs
        at the wall clock's speed unless --speed F (throttling buckets and host latencies then run F times faster).

          --port P          TCP port on 127.0.0.1 (0: any free port)
          --instances N     instances launched at the first start (default 3), untagged but for Name=sim-host-K
          --tag KEY=VALUE   also tag every launched instance (e.g. --tag IPSec=todo)
          --state DIR       load the account from DIR/account.json at start, save it there at stop
          --env-file FILE   also write the export lines to FILE (for `. FILE` in scripts)
          --empty           an account with no queues, bucket, keys, rules, instances or CA (for deploy/localstack/init-aws.sh)
          --no-ca           do not create the mesh CA (run `ipsec-mesh ca init --if-missing` yourself)
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json", "listen", "verbose", "serve", "empty", "no-ca" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Has("serve")) return await ServeAsync(args, cancellationToken);
        var settings = new SimulationSettings
        {
            Instances = args.GetInt("instances", 50, 1, 100_000),
            Seed = args.GetInt("seed", 1, 0, int.MaxValue),
            Chaos = args.GetChoice("faults", "none", "none", "chaos") == "chaos",
            AwsThrottling = args.GetChoice("throttle", "aws", "aws", "none") == "aws",
            Speed = args.GetDouble("speed", 30, 1, 10_000),
            WallTimeout = TimeSpan.FromSeconds(args.GetInt("timeout", 600, 1, 86_400)),
            ExportDirectory = args.Get("export"),
            Json = args.Has("json"),
            Listen = args.Has("listen"),
            Verbose = args.Has("verbose"),
        };
        args.EnsureAllUsed();
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

    private static async Task<int> ServeAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (args.Get("tag") is { } tag)
        {
            var eq = tag.IndexOf('=', StringComparison.Ordinal);
            if (eq < 1) throw new CliException($"--tag '{tag}' must be KEY=VALUE");
            tags[tag[..eq]] = tag[(eq + 1)..];
        }
        var settings = new ServeSettings
        {
            Port = args.GetInt("port", 4566, 0, 65_535),
            Instances = args.GetInt("instances", 3, 0, 100_000),
            Seed = args.GetInt("seed", 1, 0, int.MaxValue),
            AwsThrottling = args.GetChoice("throttle", "aws", "aws", "none") == "aws",
            Speed = args.GetDouble("speed", 1, 1, 10_000),
            Tags = tags,
            StateDirectory = args.Get("state"),
            EnvFile = args.Get("env-file"),
            Empty = args.Has("empty"),
            CreateCa = !args.Has("no-ca"),
        };
        args.EnsureAllUsed();
        return await new ServeRun(settings, Console.Out).RunAsync(cancellationToken);
    }
}
