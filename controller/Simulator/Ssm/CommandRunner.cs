namespace IpsecMesh.Simulator.Ssm;

/// <summary>
/// Moves invocations through their states on simulated time: delivery when the agent is online,
/// execution on the instance runtime, delivery and execution timeouts, cancellation. Also
/// watches how many commands run at once on one instance, which AWS allows and the controller must not do.
/// </summary>
internal sealed class CommandRunner
{
    private readonly Fleet _fleet;
    private readonly SimulatedKms _kms;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deliveryLatency;
    private readonly Lock _sync;
    private readonly Dictionary<string, List<SsmInvocation>> _running = new(StringComparer.Ordinal);
    private readonly List<string> _overlapDetails = [];
    private readonly List<SsmInvocation> _pending = [];
    private int _maxConcurrent;
    private long _overlaps;

    public CommandRunner(Fleet fleet, SimulatedKms kms, TimeProvider time, TimeSpan deliveryLatency, Lock sync)
    {
        _fleet = fleet;
        _kms = kms;
        _time = time;
        _deliveryLatency = deliveryLatency;
        _sync = sync;
        fleet.AgentAvailabilityChanged += OnAgentAvailabilityChanged;
    }

    public int MaxConcurrentPerInstance { get { lock (_sync) return _maxConcurrent; } }

    /// <summary>Times a command started on an instance already running another one.</summary>
    public long Overlaps { get { lock (_sync) return Interlocked.Read(ref _overlaps); } }

    /// <summary>The first overlaps, each naming the instance and the commands (comment and status) that met there.</summary>
    public IReadOnlyList<string> OverlapDetails { get { lock (_sync) return [.. _overlapDetails]; } }

    /// <summary>Queues a new invocation; the agent picks it up after the delivery latency at the earliest.</summary>
    public void Submit(SsmInvocation invocation)
    {
        lock (_sync) _pending.Add(invocation);
        // Created outside the lock: a timer due at once may run TryDeliver on this thread (FakeTimeProvider).
        var timer = _time.CreateTimer(_ => TryDeliver(invocation), null, _deliveryLatency, Timeout.InfiniteTimeSpan);
        lock (_sync)
        {
            if (invocation.Status == CommandStatus.Pending && invocation.Timer is null) invocation.Timer = timer;
            else timer.Dispose();
        }
    }

    public void Cancel(SsmInvocation invocation)
    {
        CancellationTokenSource? running;
        lock (_sync)
        {
            if (CommandStatus.IsTerminal(invocation.Status)) return;
            _pending.Remove(invocation);
            invocation.Finish(CommandStatus.Cancelled, CommandStatus.Cancelled, -1, _time.GetUtcNow());
            running = invocation.Cancellation;
        }
        StopRuntime(running);
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

    private void OnAgentAvailabilityChanged(SimInstance instance)
    {
        SsmInvocation[] waiting;
        lock (_sync) waiting = _pending.Where(p => p.InstanceId == instance.InstanceId).ToArray();
        foreach (var invocation in waiting) TryDeliver(invocation);
    }

    private void TryDeliver(SsmInvocation invocation)
    {
        // The fleet is read before the runner's lock is taken: no simulator lock is held across a call into another component.
        var now = _time.GetUtcNow();
        var instance = _fleet.TryGet(invocation.InstanceId);
        var agent = instance?.AgentView(now);
        lock (_sync)
        {
            if (invocation.Status != CommandStatus.Pending) return;
            invocation.Timer?.Dispose();
            invocation.Timer = null;
            if (instance is null || agent!.Value.State == InstanceState.Terminated)
            {
                _pending.Remove(invocation);
                invocation.Finish(CommandStatus.Failed, "Undeliverable", -1, now);
                return;
            }
            var deadline = invocation.Command.RequestedAt + invocation.Command.DeliveryTimeout;
            if (now >= deadline)
            {
                _pending.Remove(invocation);
                invocation.Finish(CommandStatus.TimedOut, "DeliveryTimedOut", -1, now);
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
        CommandOutcome outcome;
        try
        {
            outcome = await instance.Runtime.ExecuteAsync(context, invocation.Command.Commands, invocation.Cancellation!.Token);
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
        lock (_sync)
        {
            _running[invocation.InstanceId].Remove(invocation);
            invocation.Cancellation?.Dispose();
            invocation.Cancellation = null;
            if (invocation.Status != CommandStatus.InProgress) return;
            invocation.Stdout = outcome.Stdout;
            invocation.Stderr = outcome.Stderr;
            var ok = outcome.ExitCode == 0;
            invocation.Finish(ok ? CommandStatus.Success : CommandStatus.Failed, ok ? CommandStatus.Success : CommandStatus.Failed, outcome.ExitCode, _time.GetUtcNow());
        }
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
            invocation.Finish(CommandStatus.TimedOut, "ExecutionTimedOut", -1, _time.GetUtcNow());
            running = invocation.Cancellation;
        }
        StopRuntime(running);
    }
}
