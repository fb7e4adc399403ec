namespace IpsecMesh.Simulator;

/// <summary>What runs the <c>aws:runShellScript</c> step of an SSM command on one simulated instance.</summary>
public interface IInstanceRuntime
{
    Task<CommandOutcome> ExecuteAsync(CommandContext context, ShellScriptRun run, CancellationToken cancellationToken);
}
