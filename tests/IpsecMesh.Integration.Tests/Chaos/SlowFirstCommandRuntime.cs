using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.Chaos;

/// <summary>A virtual host whose first command hangs for a while (longer than the controller's command timeout) before it runs.</summary>
public sealed class SlowFirstCommandRuntime(VirtualHost host, TimeSpan firstDelay) : IInstanceRuntime
{
    private int _commands;

    public VirtualHost Host => host;

    public async Task<CommandOutcome> ExecuteAsync(CommandContext context, ShellScriptRun run, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _commands) == 1) await Task.Delay(firstDelay, context.Time, cancellationToken);
        return await host.ExecuteAsync(context, run, cancellationToken);
    }
}
