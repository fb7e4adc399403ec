using Microsoft.Extensions.Logging;
using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Pki.Authority;

/// <summary>
/// The end of a CA rotation. A CA leaving the trust bundle is deleted from the hosts' NSS databases, but a running pluto
/// keeps trusting it until it restarts; so, before any replaced CA leaves the bundle, every certificate it issued is
/// revoked (one coalesced revocation, reason superseded) and the CRL saying so reaches hosts, which keep it while their
/// pluto still trusts the CA. The controller calls <see cref="RetireAsync"/> once every enabled host runs a certificate of
/// the current CA; the CAs then leave the bundle at their <see cref="RetiringCa.RetireAt"/>, and no sooner than
/// <see cref="PkiOptions.CaRetirementGrace"/> after the revocation (time for the final CRL to reach every host).
/// </summary>
public sealed class CaRetirement(IObjectStore store, CaKeyring keyring, IIssuanceRegistry registry, PkiOptions options, TimeProvider timeProvider, ILogger<CaRetirement> logger)
{
    private const int MaxWriteAttempts = 5;
    private readonly CaRepository _repository = new(store);

    /// <summary>The replaced CAs still in the bundle whose certificates are not yet revoked.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken) =>
        [.. (await keyring.GetSnapshotAsync(cancellationToken)).State.Previous.Where(ca => ca.AwaitsRevocation).Select(ca => ca.CaId)];

    /// <summary>Revokes every unexpired certificate of <paramref name="caIds"/> and records it in <c>ca/state.json</c>.</summary>
    /// <returns>The certificates revoked.</returns>
    /// <exception cref="CaStoreException">Other writers of the state won <see cref="MaxWriteAttempts"/> times (the revocation stands; the next call records it).</exception>
    public async Task<IReadOnlyList<IssuedCertificate>> RetireAsync(IReadOnlyCollection<string> caIds, CancellationToken cancellationToken)
    {
        var revoked = await registry.RevokeIssuedByAsync(caIds, "CA retired", cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var (state, etag) = await _repository.GetStateAsync(cancellationToken) ?? throw new CaStoreException($"{CaLayout.StateKey} is gone");
            var now = timeProvider.GetUtcNow();
            var leaveAt = now + options.CaRetirementGrace;
            var previous = state.Previous.Select(ca => caIds.Contains(ca.CaId) && ca.AwaitsRevocation
                ? ca with { CertificatesRevokedAt = now, RetireAt = ca.RetireAt > leaveAt ? ca.RetireAt : leaveAt }
                : ca).ToList();
            if (await _repository.ReplaceStateAsync(state with { Previous = previous }, etag, cancellationToken))
            {
                keyring.Invalidate();
                foreach (var ca in previous.Where(ca => caIds.Contains(ca.CaId)))
                    PkiLog.CaRetired(logger, ca.CaId, revoked.Count(c => c.CaId == ca.CaId), ca.RetireAt);
                return revoked;
            }

            if (attempt == MaxWriteAttempts)
            {
                throw new CaStoreException($"could not record the retirement of CA {string.Join(',', caIds)}: {CaLayout.StateKey} kept changing");
            }
        }
    }
}
