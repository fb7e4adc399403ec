using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// How long an enrolment took that was the controller's own: the time from todo to enabled minus the
/// time SSM commands ran for it, each from SendCommand to the end of its last instance (a batched
/// command is read once, when its slowest host is done: CommandWatcher.StragglerWait), capped at the
/// host's enabled time. The target: at most 5 s of controller latency.
/// </summary>
public static class EnrolmentLatency
{
    public static readonly TimeSpan Target = TimeSpan.FromSeconds(5);

    public static async Task<(TimeSpan Commands, TimeSpan Controller)> MeasureAsync(ScenarioContext context, GuestHost host, DateTimeOffset todo, DateTimeOffset enabled, CancellationToken cancellationToken)
    {
        var runs = await context.Cloud.CommandsOfAsync(host, cancellationToken);
        // The enrolment's own commands: sent after the todo and finished by the time it was enabled (not status collection).
        var own = runs.Where(r => r.Requested >= todo - TimeSpan.FromSeconds(1) && r.Finished is { } f && f <= enabled + TimeSpan.FromSeconds(1)
            && !r.Comment.EndsWith(" status", StringComparison.Ordinal)).ToList();
        var commands = TimeSpan.Zero;
        foreach (var run in own)
        {
            var ended = await context.Cloud.CommandEndedAsync(run.CommandId, cancellationToken) ?? run.Finished!.Value;
            if (ended < run.Finished!.Value) ended = run.Finished.Value;
            if (ended > enabled) ended = enabled;
            commands += ended - run.Requested;
        }
        return (commands, enabled - todo - commands);
    }
}
