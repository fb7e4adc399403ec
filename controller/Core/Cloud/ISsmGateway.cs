using IpsecMesh.Core.Reconcile;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Cloud;

/// <summary>The SSM calls the controller makes. Nothing here waits for a command to finish.</summary>
public interface ISsmGateway
{
    /// <summary>Sends the request to the instance (coalesced with identical requests to other instances, up to 50 per command); returns the command id.</summary>
    Task<string> SendAsync(string instanceId, AgentRequest request, CancellationToken cancellationToken);

    /// <summary>Every invocation requested since <paramref name="since"/> (one paginated listing, 50 per call), or of one command.</summary>
    Task<IReadOnlyList<InvocationSummary>> ListInvocationsAsync(DateTimeOffset since, string? commandId, bool details, CancellationToken cancellationToken);

    /// <summary>A finished invocation in full (GetCommandInvocation: up to 24,000 characters of output, 8,000 of errors), parsed.</summary>
    Task<CommandSnapshot> FetchAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken);

    Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Sends one request to every instance carrying the tag (SSM Targets): one call however large the fleet.</summary>
    Task<string> SendToTaggedAsync(string tagKey, string tagValue, AgentRequest request, CancellationToken cancellationToken);

    /// <summary>This controller's commands invoked since <paramref name="since"/>, newest per instance: what a restarted controller resumes.</summary>
    Task<IReadOnlyDictionary<string, TrackedCommand>> RecoverAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
