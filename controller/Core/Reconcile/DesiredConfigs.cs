using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Reconcile;

internal static class DesiredConfigs
{
    /// <summary>What this host should run now (its roll-out wave decides), from the config it runs.</summary>
    public static DesiredConfig ConfigOf(this DesiredStateProvider desired, Observation observation) =>
        desired.ConfigFor(observation.InstanceId, observation.AppliedConfigHash);
}
