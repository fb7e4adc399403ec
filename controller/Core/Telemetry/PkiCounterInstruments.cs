using System.Diagnostics;
using System.Diagnostics.Metrics;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Telemetry;

/// <summary>
/// The PKI's own counts (<see cref="PkiCounters"/>) as observable counters of the controller's Meter: events the PKI
/// worked around but an operator should know of, since each means someone wrote to <c>issued/</c>.
/// </summary>
public sealed class PkiCounterInstruments
{
    public PkiCounterInstruments(Meter meter, PkiCounters counters)
    {
        meter.CreateObservableCounter("ipsec_mesh.crl.stored_rejected", () => Rejected(counters), "{crl}",
            "Stored CRLs ignored (and replaced) because they did not verify as their CA's own, by reason");
        meter.CreateObservableCounter("ipsec_mesh.crl.entries_kept", () => counters.CrlEntriesKeptWithoutRecord, "{entry}",
            "CRL entries kept at a publication although their revocation record is missing (a verified CRL listed them)");
    }

    private static IEnumerable<Measurement<long>> Rejected(PkiCounters counters) =>
        counters.StoredCrlsRejected.Select(pair => new Measurement<long>(pair.Value, new TagList { { "reason", pair.Key } }));
}
