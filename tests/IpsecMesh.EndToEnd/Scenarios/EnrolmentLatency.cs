using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// How long an enrolment took that was the controller's own: the time from todo to enabled minus the
/// time SSM commands ran for it (send to final status). The target: at most 5 s of controller latency.
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
        var commands = own.Aggregate(TimeSpan.Zero, (sum, r) => sum + (r.Took ?? TimeSpan.Zero));
        return (commands, enabled - todo - commands);
    }
}
