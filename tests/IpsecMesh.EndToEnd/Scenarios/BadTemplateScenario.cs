using IpsecMesh.Core.Desired;
using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// t. A bad template: the shipped template with <c>negotiationshunt=hold</c> misspelt is pushed to S3
/// config/. The controller refuses it (naming file and line); no host gets a command, loses a conn
/// or an SA, and nothing goes in clear.
/// </summary>
public static class BadTemplateScenario
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("t", "a template with a misspelt keyword is refused; no host changes or loses traffic");
        var pairs = context.MeshPairs().ToList();
        var capture = await context.Guest.StartCaptureAsync("t-bad-template", cancellationToken);
        await context.Guest.StartPingersAsync("t", pairs, PingInterval, cancellationToken);
        var configs = context.Mesh.ToDictionary(h => h, h => context.Tag(h, MeshTags.Config));
        var good = context.Policy;

        var uploaded = context.Time.GetUtcNow();
        await context.Cloud.UploadPolicyAsync(good.WithTemplate(t => t.Replace("negotiationshunt=hold", "negotiationshunts=hold", StringComparison.Ordinal)), cancellationToken);
        var desired = context.Controller.Service<DesiredStateProvider>();
        var refused = await context.WaitForAsync(() => desired.IsLoaded && desired.Current.RejectedErrors.Count > 0, TimeSpan.FromMinutes(1), cancellationToken);
        verdict.Expect(refused, "the controller did not refuse the misspelt template");
        if (refused) verdict.Figure($"refused: {desired.Current.RejectedErrors[0]}");
        // Several config polls and a resync: time for any roll-out to have started.
        await Task.Delay(TimeSpan.FromSeconds(40), context.Time, cancellationToken);

        foreach (var host in context.Mesh)
        {
            verdict.Expect(context.Tag(host, MeshTags.Config) == configs[host], $"{host.Name}'s config changed");
            var sent = (await context.Cloud.CommandsOfAsync(host, cancellationToken)).Count(r => r.Requested >= uploaded && !r.Comment.EndsWith(" status", StringComparison.Ordinal));
            verdict.Expect(sent == 0, $"{sent} commands reached {host.Name} after the bad template");
        }
        foreach (var (from, to, summary) in await context.Guest.StopPingersAsync("t", pairs, cancellationToken))
            verdict.Expect(summary.Transmitted > 0 && summary.Lost <= 1, $"{from.Name}->{to.Name} lost {summary.Lost}/{summary.Transmitted} pings");
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var tally = WireTally.Among(packets, context.Mesh.Select(h => h.Address).ToArray());
        verdict.Expect(tally.Cleartext == 0, $"{tally.Cleartext} cleartext packets inside the mesh");
        verdict.Figure($"wire {tally}");

        await context.Cloud.UploadPolicyAsync(good, cancellationToken);
        var accepted = await context.WaitForAsync(() => desired.Current.RejectedErrors.Count == 0, TimeSpan.FromMinutes(1), cancellationToken);
        verdict.Expect(accepted, "the good policy was not accepted again");
        return verdict.Outcome();
    }
}
