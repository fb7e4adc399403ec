using IpsecMesh.Simulator.State;

namespace IpsecMesh.Simulator;

/// <summary>The VPC side of the fleet: managed-service interfaces and network ACLs.</summary>
public sealed partial class Fleet
{
    private readonly Dictionary<string, SimManagedInterface> _managed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimNetworkAcl> _acls = new(StringComparer.Ordinal);

    /// <summary>Every managed-service interface, in creation order.</summary>
    public IReadOnlyList<SimManagedInterface> ManagedInterfaces { get { lock (Sync) return _managed.Values.ToArray(); } }

    /// <summary>Every network ACL (each VPC has its default one).</summary>
    public IReadOnlyList<SimNetworkAcl> NetworkAcls
    {
        get
        {
            lock (Sync)
            {
                EnsureDefaultAcls();
                return _acls.Values.ToArray();
            }
        }
    }

    /// <summary>
    /// Adds an interface of an AWS service in <paramref name="vpcId"/> (default VPC when null) with the next free
    /// address of the VPC, or <paramref name="address"/>; "interface" types are requester-managed (RDS, ALB, EFS).
    /// </summary>
    public SimManagedInterface AddManagedInterface(string interfaceType, string description, string? vpcId = null, bool? requesterManaged = null, string? address = null)
    {
        lock (Sync)
        {
            var vpc = vpcId is null ? DefaultVpc : _vpcs.TryGetValue(vpcId, out var v) ? v : throw new KeyNotFoundException($"no VPC '{vpcId}'");
            var eni = new SimManagedInterface("eni-" + _random.Hex(17), interfaceType, description, requesterManaged ?? interfaceType == "interface",
                vpc.VpcId, vpc.SubnetId, address ?? NextAddress(vpc.VpcId), []);
            _managed[eni.NetworkInterfaceId] = eni;
            return eni;
        }
    }

    /// <summary>Deletes a managed-service interface (a load balancer scaling in); false when there was none.</summary>
    public bool RemoveManagedInterface(string networkInterfaceId)
    {
        lock (Sync) return _managed.Remove(networkInterfaceId);
    }

    /// <summary>The ACL associated with <paramref name="subnetId"/> (the VPC's default one unless replaced).</summary>
    public SimNetworkAcl AclOfSubnet(string subnetId)
    {
        lock (Sync)
        {
            EnsureDefaultAcls();
            return _acls.Values.FirstOrDefault(a => a.SubnetIds.Contains(subnetId)) ?? throw new KeyNotFoundException($"no subnet '{subnetId}'");
        }
    }

    /// <summary>
    /// Gives <paramref name="subnetId"/> a new custom ACL with <paramref name="entries"/> (the default "*" deny follows
    /// them), moving its association off the ACL it had; returns the new ACL.
    /// </summary>
    public SimNetworkAcl ReplaceSubnetAcl(string subnetId, IEnumerable<SimNetworkAclEntry> entries)
    {
        lock (Sync)
        {
            var old = AclOfSubnet(subnetId);
            _acls[old.NetworkAclId] = old with { SubnetIds = [.. old.SubnetIds.Where(s => s != subnetId)] };
            var acl = new SimNetworkAcl("acl-" + _random.Hex(17), old.VpcId, IsDefault: false) { Entries = [.. entries], SubnetIds = [subnetId] };
            _acls[acl.NetworkAclId] = acl;
            return acl;
        }
    }

    /// <summary>Each VPC without an ACL gets its default one (id derived from the VPC's, so no random draw moves other ids).</summary>
    private void EnsureDefaultAcls()
    {
        foreach (var vpc in _vpcs.Values)
            if (!_acls.Values.Any(a => a.VpcId == vpc.VpcId && a.IsDefault))
            {
                var id = "acl-" + vpc.VpcId["vpc-".Length..];
                _acls[id] = new SimNetworkAcl(id, vpc.VpcId, IsDefault: true) { Entries = SimNetworkAcl.AllowAll, SubnetIds = [vpc.SubnetId] };
            }
    }

    private (IReadOnlyList<SimManagedInterface>, IReadOnlyList<SimNetworkAcl>) ExportVpcObjects() => (_managed.Values.ToArray(), _acls.Values.ToArray());

    private void ImportVpcObjects(FleetState state)
    {
        _managed.Clear();
        _acls.Clear();
        foreach (var eni in state.ManagedInterfaces ?? []) _managed[eni.NetworkInterfaceId] = eni;
        foreach (var acl in state.NetworkAcls ?? []) _acls[acl.NetworkAclId] = acl;
    }
}
