using Amazon.SQS.Model;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Integration.Tests.Leadership;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Throttling;

namespace IpsecMesh.Integration.Tests.Chaos;

/// <summary>
/// 1,000 instances under AWS throttling, injected 5xx and throttle faults, duplicated, reordered and lost
/// events, failing, hanging and late hosts, terminations mid-enrolment, and two leader-elected replicas
/// of which five are crashed at seeded random points. Everything is seeded by <see cref="Seed"/>.
/// </summary>
public class ChaosTests
{
    public const int Seed = 8;
    private const int Instances = 1000;
    private const int Crashes = 5;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_thousand_instances_converge_through_faults_crashes_and_two_replicas()
    {
        var random = new Random(Seed);
        var options = SimulatorOptions.Chaos with { Seed = Seed, Throttle = ThrottleProfile.Aws };
        await using var mesh = new MeshFixture(options, new Dictionary<string, string?>
        {
            ["IpsecMesh:ResyncInterval"] = "00:03:00",
            ["IpsecMesh:CommandTimeout"] = "00:03:00",
            ["IpsecMesh:Workers"] = "16",
        });
        var hosts = new Dictionary<string, VirtualHost>(StringComparer.Ordinal);
        var late = new List<SimInstance>();
        var hung = new List<SimInstance>();
        for (var i = 0; i < Instances; i++)
        {
            var host = new VirtualHost(VirtualHostOptions.Instant with { Seed = Seed * 10_000 + i, FailureProbability = 0.05, Latency = new VirtualHostOptions().Latency });
            var hangs = random.NextDouble() < 0.01;
            var agentDelay = random.NextDouble() < 0.03 ? TimeSpan.FromMinutes(3 + random.Next(6)) : TimeSpan.Zero;
            var instance = mesh.Aws.Fleet.Launch(InstanceSpec.Tagged(MeshFixture.TagKey, "todo") with
            {
                AgentOnlineDelay = agentDelay,
                Runtime = hangs ? new SlowFirstCommandRuntime(host, TimeSpan.FromMinutes(5)) : host,
            });
            hosts[instance.InstanceId] = host;
            if (hangs) hung.Add(instance);
            if (agentDelay > TimeSpan.Zero) late.Add(instance);
        }
        var lost = mesh.Aws.Fleet.Instances.OrderBy(_ => random.Next()).Take(50).Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
        var removed = await LoseEventsAsync(mesh, lost);

        var replicas = new List<Replica> { await Replica.StartAsync(mesh, initCa: true, Token), await Replica.StartAsync(mesh, initCa: false, Token) };
        var everStarted = new List<Replica>(replicas);
        var terminated = new List<SimInstance>();
        var wallStart = DateTime.UtcNow;
        var simStart = mesh.Time.GetUtcNow();
        try
        {
            for (var crash = 0; crash < Crashes; crash++)
            {
                await Task.Delay(TimeSpan.FromSeconds(2 + random.NextDouble() * 6), Token);
                if (crash is 1 or 3) terminated.AddRange(TerminateSome(mesh, random, 10));
                // Mostly the leader: that is the crash that matters; sometimes the standby.
                var victim = random.NextDouble() < 0.8 ? replicas.FirstOrDefault(r => r.IsLeader) ?? replicas[0] : replicas.First(r => !r.IsLeader);
                victim.Crash();
                replicas.Remove(victim);
                replicas.Add(await Replica.StartAsync(mesh, initCa: false, Token));
                everStarted.Add(replicas[^1]);
            }

            var terminatedIds = terminated.Select(t => t.InstanceId).ToHashSet(StringComparer.Ordinal);
            await WaitUntilAsync(() =>
            {
                var pending = mesh.Aws.Fleet.Instances.Count(i => !terminatedIds.Contains(i.InstanceId) && i.Tag(MeshFixture.TagKey) != "enabled");
                return pending == 0 && UnrevokedOfTerminated(mesh, terminatedIds).Count == 0 ? null : $"{pending} not enabled";
            }, TimeSpan.FromMinutes(8));
        }
        finally
        {
            foreach (var replica in replicas) await replica.StopAsync();
        }

        var now = mesh.Time.GetUtcNow();
        var issued = FleetAudit.IssuedCertificates(mesh.Aws);
        var running = mesh.Aws.Fleet.Instances.Where(i => !terminated.Contains(i)).ToList();
        var problems = running
            .Select(i => (i.InstanceId, Problem: FleetAudit.CertificateProblem(i, hosts[i.InstanceId], issued, now)))
            .Where(p => p.Problem is not null).Take(10).ToList();
        var perInstance = (double)issued.Count / Instances;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {Seed}: converged in {(now - simStart).TotalMinutes:F1} simulated min, {(DateTime.UtcNow - wallStart).TotalSeconds:F0} s wall; " +
            $"{issued.Count} certificates for {Instances} instances ({perInstance:F3} each); {removed} event messages lost on purpose; " +
            $"{late.Count} late agents, {hung.Count} hung first commands, {terminated.Count} terminated; overlaps {mesh.Aws.OverlappingCommands}, " +
            $"max concurrent per instance {mesh.Aws.MaxConcurrentCommandsPerInstance}; SendCommand {mesh.Calls("ssm:SendCommand")}");

        Assert.All(running, i => Assert.Equal("enabled", i.Tag(MeshFixture.TagKey)));
        Assert.All(lost.Where(id => !terminated.Exists(t => t.InstanceId == id)), id => Assert.Equal("enabled", mesh.Aws.Fleet.Get(id).Tag(MeshFixture.TagKey)));
        Assert.True(mesh.Aws.OverlappingCommands == 0, OverlapReport(mesh, everStarted));
        Assert.True(mesh.Aws.MaxConcurrentCommandsPerInstance <= 1, $"{mesh.Aws.MaxConcurrentCommandsPerInstance} commands at once on one instance");
        Assert.True(perInstance <= 1.1, $"{perInstance:F3} certificates per instance");
        Assert.Empty(problems);
        Assert.Empty(UnrevokedOfTerminated(mesh, terminated.Select(t => t.InstanceId).ToHashSet(StringComparer.Ordinal)));
    }

    /// <summary>Each overlap, and what every replica (crashed ones too) logged about that instance.</summary>
    private static string OverlapReport(MeshFixture mesh, List<Replica> replicas)
    {
        var report = new List<string>();
        foreach (var overlap in mesh.Aws.OverlappingCommandDetails)
        {
            report.Add(overlap);
            var instanceId = overlap[..overlap.IndexOf(' ', StringComparison.Ordinal)];
            for (var r = 0; r < replicas.Count; r++)
                report.AddRange(replicas[r].Logs.Where(l => l.Contains(instanceId, StringComparison.Ordinal) || l.Contains("Leader", StringComparison.Ordinal) || l.Contains("lease", StringComparison.OrdinalIgnoreCase)).Select(l => $"  replica {r}: {l}"));
        }
        return string.Join("\n", report);
    }

    /// <summary>Takes every queued event about the given instances out of the queue before any controller runs.</summary>
    private static async Task<int> LoseEventsAsync(MeshFixture mesh, HashSet<string> lost)
    {
        using var sqs = SimulatedClients.Create<Amazon.SQS.IAmazonSQS>(mesh.Aws);
        var kept = new List<string>();
        var removed = 0;
        while (true)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = mesh.Aws.QueueUrl, MaxNumberOfMessages = 10, VisibilityTimeout = 43_200, WaitTimeSeconds = 0 }, Token);
            if (response.Messages is not { Count: > 0 } messages) break;
            foreach (var message in messages)
            {
                if (lost.Any(id => message.Body.Contains(id, StringComparison.Ordinal)))
                {
                    await sqs.DeleteMessageAsync(mesh.Aws.QueueUrl, message.ReceiptHandle, Token);
                    removed++;
                }
                else kept.Add(message.ReceiptHandle);
            }
        }
        foreach (var handle in kept) await sqs.ChangeMessageVisibilityAsync(mesh.Aws.QueueUrl, handle, 0, Token);
        return removed;
    }

    private static List<SimInstance> TerminateSome(MeshFixture mesh, Random random, int count)
    {
        var candidates = mesh.Aws.Fleet.Instances.Where(i => i.State == InstanceState.Running).ToList();
        // Mid-enrolment where possible: instances not enabled yet.
        var pick = candidates.Where(i => i.Tag(MeshFixture.TagKey) != "enabled").OrderBy(_ => random.Next()).Take(count).ToList();
        pick.AddRange(candidates.Except(pick).OrderBy(_ => random.Next()).Take(count - pick.Count));
        foreach (var instance in pick) mesh.Aws.Fleet.Terminate(instance.InstanceId);
        return pick;
    }

    /// <summary>Issued registry keys of terminated instances whose serial no CRL lists yet.</summary>
    private static List<string> UnrevokedOfTerminated(MeshFixture mesh, HashSet<string> terminated)
    {
        var ofTerminated = FleetAudit.IssuedCertificates(mesh.Aws).Where(k => terminated.Contains(FleetAudit.InstanceOf(k))).ToList();
        if (ofTerminated.Count == 0) return [];
        var revoked = FleetAudit.RevokedSerials(mesh.Aws);
        return ofTerminated.Where(k => !revoked.Contains(FleetAudit.SerialOf(k))).ToList();
    }

    private static async Task WaitUntilAsync(Func<string?> notYet, TimeSpan wall)
    {
        var deadline = DateTime.UtcNow + wall;
        string? why = "not checked";
        while (DateTime.UtcNow < deadline)
        {
            why = notYet();
            if (why is null) return;
            await Task.Delay(TimeSpan.FromSeconds(1), Token);
        }
        throw new TimeoutException($"the fleet did not converge within {wall}: {why}");
    }
}
