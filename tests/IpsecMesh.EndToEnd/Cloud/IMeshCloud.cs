using IpsecMesh.EndToEnd.Guest;

namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>The AWS side as the scenarios see it: the tags app teams and the controller write, and the live mesh policy.</summary>
public interface IMeshCloud
{
    string InstanceIdOf(GuestHost host);

    /// <summary>The instance's current tags (a snapshot).</summary>
    IReadOnlyDictionary<string, string> TagsOf(GuestHost host);

    /// <summary>An app team sets the <c>IPSec</c> tag (todo or off).</summary>
    void SetMeshTag(GuestHost host, string value);

    /// <summary>An operator uploads policy files to <c>config/&lt;file&gt;</c> in the bucket.</summary>
    Task UploadPolicyAsync(MeshPolicy policy, CancellationToken cancellationToken);

    /// <summary>Root on the instance stops (or starts again) its SSM agent: no ping, no command runs.</summary>
    void SetAgentRunning(GuestHost host, bool running);

    /// <summary>
    /// Registers <paramref name="host"/>'s address as a managed-service network interface (no agent, e.g. a load balancer
    /// node) in the mesh hosts' VPC, as DescribeNetworkInterfaces then reports it; returns the interface id.
    /// </summary>
    string RegisterManagedInterface(GuestHost host, string interfaceType, string description);

    /// <summary>The instance is terminated (its guest host stays up, an address no instance holds any more).</summary>
    void Terminate(GuestHost host);

    /// <summary>The controller's SSM commands on the instance so far, oldest first, with their times.</summary>
    Task<IReadOnlyList<CommandRun>> CommandsOfAsync(GuestHost host, CancellationToken cancellationToken);

    /// <summary>When the last instance of command <paramref name="commandId"/> ended (a batch ends with its slowest host), or null while any runs.</summary>
    Task<DateTimeOffset?> CommandEndedAsync(string commandId, CancellationToken cancellationToken);
}
