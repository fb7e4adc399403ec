namespace IpsecMesh.Simulator;

/// <summary>Hands commands to a real host elsewhere (the end-to-end harness runs them in a libreswan VM).</summary>
public sealed class ExternalRuntime(Func<CommandContext, IReadOnlyList<string>, CancellationToken, Task<CommandOutcome>> execute) : IInstanceRuntime
{
    public Task<CommandOutcome> ExecuteAsync(CommandContext context, IReadOnlyList<string> commands, CancellationToken cancellationToken) =>
        execute(context, commands, cancellationToken);
}
