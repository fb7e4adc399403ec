namespace IpsecMesh.EndToEnd.Guest;

/// <summary>
/// The outside half of the spool protocol (tests/e2e/guest/spool-runner.sh): a script becomes
/// &lt;id&gt;.cmd by rename, the runner inside the guest writes &lt;id&gt;.out and &lt;id&gt;.err and
/// then &lt;id&gt;.rc by rename, so a result is complete once &lt;id&gt;.rc exists.
/// </summary>
public sealed class SpoolClient(string spoolRoot)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private long _sequence;

    public async Task<SpoolResult> RunAsync(string spool, string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(spoolRoot, spool);
        var id = $"{Environment.ProcessId}-{Interlocked.Increment(ref _sequence):D5}";
        var basePath = Path.Combine(directory, id);
        await File.WriteAllTextAsync(basePath + ".cmd.tmp", script, cancellationToken);
        File.Move(basePath + ".cmd.tmp", basePath + ".cmd");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!File.Exists(basePath + ".rc"))
                await Task.Delay(PollInterval, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SpoolResult(124, "", $"no result from spool '{spool}' within {timeout.TotalSeconds:0}s (command {id})");
        }
        var exitCode = int.Parse((await File.ReadAllTextAsync(basePath + ".rc", cancellationToken)).Trim());
        return new SpoolResult(exitCode,
            await File.ReadAllTextAsync(basePath + ".out", cancellationToken),
            await File.ReadAllTextAsync(basePath + ".err", cancellationToken));
    }
}
