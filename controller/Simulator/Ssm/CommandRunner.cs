using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>
/// Moves invocations through their states on simulated time: rate control (MaxConcurrency out at once,
/// the rest cancelled once MaxErrors is exceeded), delivery when the agent is online, the document's
/// steps on the instance (aws:downloadContent from the simulated S3, aws:runShellScript on the
/// instance runtime, each skipped when its precondition does not hold), delivery and execution
/// timeouts, cancellation. Also watches how many commands run at once on one instance, which AWS
/// allows and the controller must not do. No other component is called while the runner's lock is
/// held: the fleet is read before it is taken, and timers are created and runtimes cancelled after
/// it is released (a timer due at once runs its callback on the creating thread).
/// </summary>
internal sealed class CommandRunner
{
    private readonly Fleet _fleet;
    private readonly SimulatedKms _kms;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deliveryLatency;
    private readonly Lock _sync;
    private readonly Func<string, string, byte[]?> _readObject;
    private readonly Dictionary<string, List<SsmInvocation>> _running = new(StringComparer.Ordinal);
    private readonly List<string> _overlapDetails = [];
    private readonly List<SsmInvocation> _pending = [];
    /// <summary>Invocations whose delivery timer is due, filled under the lock and started by <see cref="ScheduleDue"/> after it.</summary>
    private readonly List<(SsmInvocation Invocation, TimeSpan Delay)> _toSchedule = [];
    private int _maxConcurrent;
    private long _overlaps;

    public CommandRunner(Fleet fleet, SimulatedKms kms, TimeProvider time, TimeSpan deliveryLatency, Lock sync, Func<string, string, byte[]?> readObject)
    {
        _fleet = fleet;
        _kms = kms;
        _time = time;
        _deliveryLatency = deliveryLatency;
        _sync = sync;
        _readObject = readObject;
        fleet.AgentAvailabilityChanged += OnAgentAvailabilityChanged;
    }

    /// <summary>
    /// Where Run Command's status-change events go (the account's event bus), as SSM publishes them to EventBridge: one
    /// per invocation that ends, and one for its command once every invocation has ended. Called off the lock, on the thread pool.
    /// </summary>
    public Action<string>? PublishEvent { get; set; }

    /// <summary>The account and region the events name.</summary>
    public (string Account, string Region) EventSource { get; set; } = ("000000000000", "us-east-1");

    private long _events;

    public int MaxConcurrentPerInstance { get { lock (_sync) return _maxConcurrent; } }

    /// <summary>Times a command started on an instance already running another one.</summary>
    public long Overlaps { get { lock (_sync) return Interlocked.Read(ref _overlaps); } }

    /// <summary>The first overlaps, each naming the instance and the commands (comment and status) that met there.</summary>
    public IReadOnlyList<string> OverlapDetails { get { lock (_sync) return [.. _overlapDetails]; } }

    /// <summary>Sends a new command's first MaxConcurrency invocations; the rest wait for a slot.</summary>
    public void Submit(SsmCommand command)
    {
        lock (_sync)
        {
            foreach (var invocation in command.Invocations) command.Waiting.Enqueue(invocation);
            Advance(command);
        }
        ScheduleDue();
    }

    public void Cancel(SsmInvocation invocation)
    {
        CancellationTokenSource? running;
        lock (_sync)
        {
            if (CommandStatus.IsTerminal(invocation.Status)) return;
            _pending.Remove(invocation);
            Complete(invocation, CommandStatus.Cancelled, CommandStatus.Cancelled, -1);
            running = invocation.Cancellation;
        }
        StopRuntime(running);
        ScheduleDue();
    }

    /// <summary>Cancels a running command outside the lock: cancellation runs the runtime's continuations on this thread.</summary>
    private static void StopRuntime(CancellationTokenSource? running)
    {
        try
        {
            running?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the command finished meanwhile
        }
    }

    /// <summary>Outside the lock: starts the delivery timers <see cref="Advance"/> found due.</summary>
    private void ScheduleDue()
    {
        List<(SsmInvocation Invocation, TimeSpan Delay)> due;
        lock (_sync)
        {
            if (_toSchedule.Count == 0) return;
            due = [.. _toSchedule];
            _toSchedule.Clear();
        }
        foreach (var (invocation, delay) in due)
        {
            var timer = _time.CreateTimer(_ => TryDeliver(invocation), null, delay, Timeout.InfiniteTimeSpan);
            lock (_sync)
            {
                // A timer due at once may have delivered the invocation already.
                if (invocation.Status == CommandStatus.Pending && invocation.Timer is null) invocation.Timer = timer;
                else timer.Dispose();
            }
        }
    }

    /// <summary>Under the lock: ends an invocation and lets rate control send (or cancel) the ones waiting.</summary>
    private void Complete(SsmInvocation invocation, string status, string details, int responseCode)
    {
        invocation.Finish(status, details, responseCode, _time.GetUtcNow());
        Announce(invocation);
        Advance(invocation.Command);
    }

    /// <summary>Under the lock: the events of an invocation that ended (and of its command when it was the last), published after it.</summary>
    private void Announce(SsmInvocation invocation)
    {
        if (PublishEvent is not { } publish) return;
        var command = invocation.Command;
        var now = _time.GetUtcNow();
        var (account, region) = EventSource;
        var bodies = new List<string>
        {
            Events.EventEnvelope.CommandInvocationStatusChange(NextEventId(), account, region, now, command.CommandId, command.DocumentName,
                invocation.InstanceId, command.RequestedAt, invocation.Status),
        };
        if (command.Invocations.All(i => CommandStatus.IsTerminal(i.Status)))
            bodies.Add(Events.EventEnvelope.CommandStatusChange(NextEventId(), account, region, now, command.CommandId, command.DocumentName,
                [.. command.Invocations.Select(i => i.InstanceId)], command.RequestedAt, command.RequestedAt + command.DeliveryTimeout, command.Parameters, command.Status));
        ThreadPool.QueueUserWorkItem(_ => { foreach (var body in bodies) publish(body); });
    }

    private string NextEventId()
    {
        var n = Interlocked.Increment(ref _events);
        return $"00000000-0000-4000-8000-{n:x12}";
    }

    private void Advance(SsmCommand command)
    {
        if (command.Waiting.Count == 0) return;
        if (command.RateControl.ErrorsExceeded(command))
        {
            while (command.Waiting.TryDequeue(out var cut))
                if (!CommandStatus.IsTerminal(cut.Status))
                {
                    cut.Finish(CommandStatus.Cancelled, "Terminated", -1, _time.GetUtcNow());
                    Announce(cut);
                }
            return;
        }
        var limit = command.RateControl.Concurrency(command.Invocations.Count);
        var outstanding = command.Invocations.Count(i => i.Dispatched && !CommandStatus.IsTerminal(i.Status));
        while (outstanding < limit && command.Waiting.TryDequeue(out var next))
        {
            if (CommandStatus.IsTerminal(next.Status)) continue;
            next.Dispatched = true;
            outstanding++;
            _pending.Add(next);
            var delay = command.RequestedAt + _deliveryLatency - _time.GetUtcNow();
            _toSchedule.Add((next, delay > TimeSpan.Zero ? delay : TimeSpan.Zero));
        }
    }

    private void OnAgentAvailabilityChanged(SimInstance instance)
    {
        SsmInvocation[] waiting;
        lock (_sync) waiting = _pending.Where(p => p.InstanceId == instance.InstanceId).ToArray();
        foreach (var invocation in waiting) TryDeliver(invocation);
    }

    private void TryDeliver(SsmInvocation invocation)
    {
        try
        {
            Deliver(invocation);
        }
        finally
        {
            ScheduleDue();
        }
    }

    private void Deliver(SsmInvocation invocation)
    {
        // The fleet is read before the runner's lock is taken: no simulator lock is held across a call into another component.
        var now = _time.GetUtcNow();
        var instance = _fleet.TryGet(invocation.InstanceId);
        var agent = instance?.AgentView(now);
        lock (_sync)
        {
            if (invocation.Status != CommandStatus.Pending || !invocation.Dispatched) return;
            invocation.Timer?.Dispose();
            invocation.Timer = null;
            if (instance is null || agent!.Value.State == InstanceState.Terminated)
            {
                _pending.Remove(invocation);
                Complete(invocation, CommandStatus.Failed, "Undeliverable", -1);
                return;
            }
            var deadline = invocation.Command.RequestedAt + invocation.Command.DeliveryTimeout;
            if (now >= deadline)
            {
                _pending.Remove(invocation);
                Complete(invocation, CommandStatus.TimedOut, "DeliveryTimedOut", -1);
                return;
            }
            var deliverable = invocation.Command.RequestedAt + _deliveryLatency;
            if (now < deliverable)
            {
                invocation.Timer = _time.CreateTimer(_ => TryDeliver(invocation), null, deliverable - now, Timeout.InfiniteTimeSpan);
                return;
            }
            if (!agent.Value.AgentOnline)
            {
                // Wake at the delivery deadline; an agent coming online earlier triggers OnAgentAvailabilityChanged,
                // and one already scheduled to come online wakes us then.
                var wake = deadline;
                if (agent.Value.AgentOnlineAt is { } online && online > now && online < wake) wake = online;
                invocation.Timer = _time.CreateTimer(_ => TryDeliver(invocation), null, wake - now, Timeout.InfiniteTimeSpan);
                return;
            }
            _pending.Remove(invocation);
            invocation.Status = CommandStatus.InProgress;
            invocation.StatusDetails = CommandStatus.InProgress;
            invocation.StartedAt = now;
            invocation.Cancellation = new CancellationTokenSource();
            if (!_running.TryGetValue(invocation.InstanceId, out var running)) _running[invocation.InstanceId] = running = [];
            if (running.Count > 0) RecordOverlap(invocation, running, now);
            running.Add(invocation);
            _maxConcurrent = Math.Max(_maxConcurrent, running.Count);
            invocation.Timer = _time.CreateTimer(_ => ExecutionTimedOut(invocation), null, invocation.Command.ExecutionTimeout, Timeout.InfiniteTimeSpan);
        }
        _ = ExecuteAsync(invocation, instance);
    }

    private async Task ExecuteAsync(SsmInvocation invocation, SimInstance instance)
    {
        var context = new CommandContext(instance, invocation.Command.CommandId, invocation.Command.Comment, _kms, _time,
            () => _fleet.CountEnabledPeers(instance.InstanceId));
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var failed = false;
        for (var i = 0; i < invocation.Command.Steps.Count; i++)
        {
            var step = invocation.Command.Steps[i];
            var plugin = invocation.Plugins[i];
            lock (_sync)
            {
                if (invocation.Status != CommandStatus.InProgress) break;
                plugin.Status = CommandStatus.InProgress;
                plugin.StatusDetails = CommandStatus.InProgress;
                plugin.StartedAt = _time.GetUtcNow();
            }
            var (status, code, stdout, stderr) = !step.PreconditionHolds
                ? ("Skipped", 0, $"Step execution skipped due to unsatisfied preconditions. Step name: {step.Name}", "")
                : step.Action switch
                {
                    "aws:downloadContent" => DocumentDownload.Run(step, invocation.InstanceId, invocation.Command.CommandId, files, _readObject),
                    "aws:runShellScript" => await RunShellScriptAsync(step, invocation, context, files),
                    _ => (CommandStatus.Failed, 1, "", $"the simulator does not model the plugin {step.Action}\n"),
                };
            lock (_sync)
            {
                if (invocation.Status != CommandStatus.InProgress) break;
                var ok = status is CommandStatus.Success or "Skipped";
                plugin.Finish(ok ? CommandStatus.Success : CommandStatus.Failed, status, code, _time.GetUtcNow(), stdout, stderr);
                failed |= !ok;
            }
        }
        lock (_sync)
        {
            _running[invocation.InstanceId].Remove(invocation);
            invocation.Cancellation?.Dispose();
            invocation.Cancellation = null;
            if (invocation.Status == CommandStatus.InProgress)
            {
                var last = invocation.LastRun;
                Complete(invocation, failed ? CommandStatus.Failed : CommandStatus.Success, failed ? CommandStatus.Failed : CommandStatus.Success, last?.ResponseCode ?? 0);
            }
        }
        ScheduleDue();
    }

    private static async Task<(string, int, string, string)> RunShellScriptAsync(DocumentStep step, SsmInvocation invocation, CommandContext context, Dictionary<string, byte[]> files)
    {
        var lines = (step.Inputs["runCommand"] as JsonArray ?? []).Select(l => DocumentParameters.Text(l) ?? "").ToArray();
        CommandOutcome outcome;
        try
        {
            outcome = await context.Instance.Runtime.ExecuteAsync(context, new ShellScriptRun(lines, files, ShellScriptRun.AgentEnvironment(context.InstanceId, context.Metadata.Region)), invocation.Cancellation!.Token);
        }
        catch (OperationCanceledException)
        {
            outcome = new CommandOutcome(-1, "", "command cancelled\n");
        }
#pragma warning disable CA1031 // a runtime's crash is the command's failure, as on a real host
        catch (Exception e)
#pragma warning restore CA1031
        {
            outcome = new CommandOutcome(1, "", $"runtime failed: {e.GetType().Name}: {e.Message}\n");
        }
        return (outcome.ExitCode == 0 ? CommandStatus.Success : CommandStatus.Failed, outcome.ExitCode, outcome.Stdout, outcome.Stderr);
    }

    private void RecordOverlap(SsmInvocation starting, List<SsmInvocation> running, DateTimeOffset now)
    {
        _overlaps++;
        if (_overlapDetails.Count >= 10) return;
        var others = string.Join("; ", running.Select(r => $"{r.Command.CommandId} '{r.Command.Comment}' {r.Status} since {r.StartedAt:HH:mm:ss.fff}"));
        _overlapDetails.Add($"{starting.InstanceId} at {now:HH:mm:ss.fff}: {starting.Command.CommandId} '{starting.Command.Comment}' (requested {starting.Command.RequestedAt:HH:mm:ss.fff}) started while {others} still ran");
    }

    private void ExecutionTimedOut(SsmInvocation invocation)
    {
        CancellationTokenSource? running;
        lock (_sync)
        {
            if (invocation.Status != CommandStatus.InProgress) return;
            Complete(invocation, CommandStatus.TimedOut, "ExecutionTimedOut", -1);
            running = invocation.Cancellation;
        }
        StopRuntime(running);
        ScheduleDue();
    }
}
