namespace IpsecMesh.Simulator;

/// <summary>
/// Hands commands to a real host elsewhere (the end-to-end harness runs them in a libreswan VM, the
/// contract test in a network namespace): <see cref="ShellScriptRun.StandInScript"/> is what such a
/// host runs in place of the SSM agent.
/// </summary>
public sealed class ExternalRuntime(Func<CommandContext, ShellScriptRun, CancellationToken, Task<CommandOutcome>> execute) : IInstanceRuntime
{
    public Task<CommandOutcome> ExecuteAsync(CommandContext context, ShellScriptRun run, CancellationToken cancellationToken) =>
        execute(context, run, cancellationToken);
}
