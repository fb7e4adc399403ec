using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace IpsecMesh.Integration.Tests.Serve;

/// <summary>
/// `ipsec-mesh simulate --serve` as its own process: it prints the environment, answers the AWS SDK on 127.0.0.1, stops
/// within 5 s of SIGTERM with exit code 0, and with --state brings the same account back.
/// </summary>
public class ServeProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_stops_within_five_seconds_of_sigterm_with_exit_0_and_restores_its_state()
    {
        var directory = Directory.CreateTempSubdirectory("ipsec-mesh-serve-").FullName;
        try
        {
            string launched;
            using (var first = await ServeAsync(directory))
            {
                using var ec2 = Ec2(first.Environment);
                var run = await ec2.RunInstancesAsync(new RunInstancesRequest
                {
                    ImageId = "ami-1", MinCount = 1, MaxCount = 1,
                    TagSpecifications = [new TagSpecification { ResourceType = "instance", Tags = [new Tag("IPSec", "todo")] }],
                }, Ct);
                launched = run.Reservation.Instances[0].InstanceId;
                var stopped = await first.StopAsync();
                Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {stopped.Elapsed.TotalSeconds:F1} s");
                Assert.Equal(0, stopped.ExitCode);
            }

            using var second = await ServeAsync(directory);
            using var again = Ec2(second.Environment);
            var described = await again.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [launched] }, Ct);
            Assert.Equal("todo", described.Reservations.Single().Instances.Single().Tags.Single(t => t.Key == "IPSec").Value);
            Assert.Contains("account restored", second.Output, StringComparison.Ordinal);
            Assert.Contains("(present)", second.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await second.StopAsync()).ExitCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static AmazonEC2Client Ec2(IReadOnlyDictionary<string, string> environment) =>
        new(new BasicAWSCredentials("simulated", "simulated"), new AmazonEC2Config { ServiceURL = environment["AWS_ENDPOINT_URL"], AuthenticationRegion = environment["AWS_REGION"] });

    private static async Task<ServeProcess> ServeAsync(string stateDirectory)
    {
        var envFile = Path.Combine(stateDirectory, "env");
        File.Delete(envFile);
        var dll = Path.Combine(AppContext.BaseDirectory, "ipsec-mesh.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "simulate", "--serve", "--port", "0", "--instances", "2", "--state", stateDirectory, "--env-file", envFile }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var serve = new ServeProcess(process);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(envFile) || new FileInfo(envFile).Length == 0)
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new InvalidOperationException("simulate --serve did not start: " + serve.Output);
            await Task.Delay(100, Ct);
        }
        serve.Environment = (await File.ReadAllLinesAsync(envFile, Ct))
            .Select(l => l["export ".Length..].Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return serve;
    }

    private sealed class ServeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        public ServeProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public IReadOnlyDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();

        public string Output { get { lock (_output) return _output.ToString(); } }

        public async Task<(int ExitCode, TimeSpan Elapsed)> StopAsync()
        {
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            return (_process.ExitCode, clock.Elapsed);
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
