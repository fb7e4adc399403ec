using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// Every observable instrument of the controller, created (in this order) when the leader term is: config and roll-out,
/// fleet, host health, PKI counts. Holding this keeps them registered on the Meter.
/// </summary>
#pragma warning disable CS9113 // Taken only so that the instruments exist.
public sealed class ControllerGauges(ConfigGauges config, FleetGauges fleet, HostHealthGauges hosts, PkiCounterInstruments pki);
#pragma warning restore CS9113
