using System.Net;
using System.Net.Sockets;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// Which network interfaces cannot run the agent, so their addresses belong in clear: those an AWS service
/// manages (<c>requesterManaged</c>) and those of an AWS service's interface type (EC2 API reference,
/// NetworkInterface.interfaceType: every type but <c>interface</c>, <c>efa</c>, <c>efa-only</c>, <c>trunk</c> and
/// <c>branch</c>, which instances use). An interface attached to a mesh host is never one, whatever it says.
/// </summary>
public static class ManagedInterfaces
{
    /// <summary>Interface types an instance (possibly a mesh host) uses.</summary>
    private static readonly HashSet<string> InstanceTypes = new(StringComparer.Ordinal) { "interface", "efa", "efa-only", "trunk", "branch" };

    /// <summary>True when the interface belongs to an AWS service rather than to an instance that could run the agent.</summary>
    public static bool IsManaged(NetworkInterfaceFact eni) => eni.RequesterManaged || !InstanceTypes.Contains(eni.InterfaceType);

    /// <summary>
    /// The clear entries (/32, /128) of the managed interfaces among <paramref name="interfaces"/>, one per address,
    /// ordered by address; interfaces attached to <paramref name="meshInstances"/>, addresses of mesh hosts
    /// (<paramref name="meshAddresses"/>) and pinned exceptions are left out.
    /// </summary>
    public static IReadOnlyList<GeneratedEntry> ClearEntries(
        IEnumerable<NetworkInterfaceFact> interfaces,
        IReadOnlySet<string> meshInstances,
        IReadOnlySet<IPAddress> meshAddresses,
        ManagedClearExceptions exceptions)
    {
        var entries = new Dictionary<IPNetwork, GeneratedEntry>();
        foreach (var eni in interfaces)
        {
            if (!IsManaged(eni) || (eni.AttachedInstanceId is { } instance && meshInstances.Contains(instance))) continue;
            foreach (var address in eni.Addresses)
            {
                if (meshAddresses.Contains(address) || exceptions.Excludes(eni.InterfaceId, address)) continue;
                var network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
                entries.TryAdd(network, new GeneratedEntry(PolicyGroups.Clear, network, eni.InterfaceId, ReasonOf(eni)));
            }
        }
        return [.. entries.Values.OrderBy(e => e.Network.BaseAddress, Cloud.AddressOrder.Instance)];
    }

    /// <summary>"network_load_balancer: ELB net/web/123", "requester-managed interface: RDSNetworkInterface" (description cut to 80 characters, control characters dropped).</summary>
    public static string ReasonOf(NetworkInterfaceFact eni)
    {
        var kind = eni.InterfaceType == "interface" ? "requester-managed interface" : eni.InterfaceType + (eni.RequesterManaged ? " (requester-managed)" : "");
        var description = new string(eni.Description.Where(c => !char.IsControl(c)).Take(80).ToArray()).Trim();
        return description.Length == 0 ? kind : kind + ": " + description;
    }
}
