namespace IpsecMesh.Simulator;

/// <summary>What runs an SSM command's <c>commands</c> on one simulated instance.</summary>
public interface IInstanceRuntime
{
    Task<CommandOutcome> ExecuteAsync(CommandContext context, IReadOnlyList<string> commands, CancellationToken cancellationToken);
}
