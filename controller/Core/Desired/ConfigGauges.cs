using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Desired;

/// <summary>The config gauges: errors in the newest mesh policy and the progress of a config roll-out, read when a reader collects.</summary>
public sealed class ConfigGauges
{
    public ConfigGauges(IpsecMeshTelemetry telemetry, DesiredStateProvider desired, ConfigRollout rollout)
    {
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("ipsec_mesh.config.rejected", () => desired.IsLoaded ? desired.Current.RejectedErrors.Count : 0, "{error}",
            "Errors in the newest mesh policy under config/ (0 when it is valid); while above 0 the last valid policy stays in force");
        meter.CreateObservableGauge("ipsec_mesh.rollout.wave", () => rollout.Progress.TargetId is null ? -1 : rollout.Progress.Wave, "{wave}",
            "The wave a config roll-out has reached (0: the canaries), -1 when none runs");
        meter.CreateObservableGauge("ipsec_mesh.rollout.stopped", () => rollout.Progress.Stopped is null ? 0 : 1, "{rollout}",
            "1 while a config roll-out is stopped by a host that failed to apply it");
        meter.CreateObservableGauge("ipsec_mesh.rollout.hosts_on_target", () => rollout.Progress.OnTarget, "{instance}",
            "Enabled hosts that run the config being rolled out");
    }
}
