using System.Collections.Concurrent;
using IpsecMesh.Core.Model;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.State;

/// <summary>Each instance's newest issued certificate, loaded with one listing of the registry and kept current as the controller issues and revokes.</summary>
public sealed class CertificateCache(IIssuanceRegistry registry, TimeSpan clockSkewBackdate)
{
    private readonly ConcurrentDictionary<string, IssuedCertificate> _current = new(StringComparer.Ordinal);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var loaded = await registry.LoadCurrentAsync(cancellationToken);
        _current.Clear();
        foreach (var (id, certificate) in loaded) _current[id] = certificate;
    }

    public IssuedCertificate? Get(string instanceId) => _current.TryGetValue(instanceId, out var c) ? c : null;

    public CertificateFacts? Facts(string instanceId) => Get(instanceId) is { } c
        ? new CertificateFacts(c.SerialHex, c.NotBefore + clockSkewBackdate, c.NotAfter, c.NamesHash, c.CaId)
        : null;

    public void Issued(IssuedCertificate certificate) => _current[certificate.InstanceId] = certificate;

    public void Revoked(string instanceId) => _current.TryRemove(instanceId, out _);

    /// <summary>One certificate was revoked: forgotten when it is the instance's newest (a CA retirement revokes older ones too).</summary>
    public void Revoked(string instanceId, string serialHex)
    {
        if (_current.TryGetValue(instanceId, out var newest) && newest.SerialHex == serialHex) _current.TryRemove(new KeyValuePair<string, IssuedCertificate>(instanceId, newest));
    }

    public IReadOnlyCollection<string> InstanceIds => [.. _current.Keys];

    /// <summary>The least remaining lifetime over the certificates of the given instances (enabled ones), or null when none.</summary>
    public TimeSpan? MinimumRemaining(DateTimeOffset now, Func<string, bool> include)
    {
        TimeSpan? least = null;
        foreach (var (id, certificate) in _current)
        {
            if (!include(id)) continue;
            var remaining = certificate.NotAfter - now;
            if (least is null || remaining < least) least = remaining;
        }
        return least;
    }
}
