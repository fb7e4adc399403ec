using IpsecMesh.EndToEnd.Cloud;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>f. A host whose install fails shows failed, with the agent's reason in IPSec:Status.</summary>
public static class FailedInstallScenario
{
    /// <summary>Before the host is tagged: its NSS database directory becomes read-only, so the agent cannot create the database.</summary>
    public static async Task BreakAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var result = await context.Guest.OnHostAsync(context.Broken, "mount -o remount,bind,ro /var/lib/ipsec/nss\n", cancellationToken);
        if (!result.Succeeded) throw new InvalidOperationException($"could not break {context.Broken.Name}: {result.Stderr}");
    }

    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("f", "a failing install shows failed with the agent's reason");
        var host = context.Broken;
        var failed = await context.WaitForAsync(() => context.Tag(host, MeshTags.Key) == MeshTags.Failed, TimeSpan.FromMinutes(3), cancellationToken);
        var status = context.Tag(host, MeshTags.Status);
        verdict.Expect(failed, $"{host.Name} is '{context.Tag(host, MeshTags.Key)}', not failed");
        // The agent's reason, also while the controller retries with backoff ("retrying after: …").
        verdict.Expect(status.Contains("nss_failed: could not create the NSS database", StringComparison.Ordinal),
            "IPSec:Status does not carry the agent's reason");
        verdict.Figure($"{host.Name} status \"{status}\"");
        return verdict.Outcome();
    }
}
