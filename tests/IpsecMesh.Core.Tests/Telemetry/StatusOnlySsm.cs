using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Tests.Telemetry;

/// <summary>An SSM that answers the host health round with the given status lines per instance.</summary>
public sealed class StatusOnlySsm(IReadOnlyDictionary<string, string> statusLines) : ISsmGateway
{
    public int TaggedSends { get; private set; }
    public int Listings { get; private set; }
    /// <summary>How many of the next listings fail (as a throttled call would, once the SDK gave up).</summary>
    public int FailingListings { get; set; }

    public Task<string> SendToTaggedAsync(string tagKey, string tagValue, AgentRequest request, CancellationToken cancellationToken)
    {
        TaggedSends++;
        return Task.FromResult($"command-{TaggedSends}");
    }

    public Task<string> SendAsync(string instanceId, AgentRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<InvocationSummary>> ListInvocationsAsync(DateTimeOffset since, string? commandId, bool details, CancellationToken cancellationToken)
    {
        Listings++;
        if (FailingListings > 0)
        {
            FailingListings--;
            throw new InvalidOperationException("throttled");
        }
        return Task.FromResult<IReadOnlyList<InvocationSummary>>([.. statusLines.Select(s =>
            new InvocationSummary(commandId ?? "", s.Key, CommandStatus.Success, "ipsec-mesh status", DateTimeOffset.UnixEpoch, s.Value))]);
    }

    public Task<CommandSnapshot> FetchAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyDictionary<string, TrackedCommand>> RecoverAsync(DateTimeOffset since, CancellationToken cancellationToken) => throw new NotSupportedException();
}
