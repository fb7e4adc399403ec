using System.Text;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Agents;

/// <summary>Builds the protocol requests the reconciler sends. Every input here comes from the controller's own state, never from a tag.</summary>
public static class AgentRequests
{
    public const string CaBundleFile = "ca-bundle.pem";

    /// <summary>The addresses of recently revoked certificates, <c>&lt;serial&gt; &lt;address&gt;</c> a line.</summary>
    public const string RevokedPeersFile = "revoked-peers";

    /// <summary>The addresses the host initiates to once its conns are loaded (<see cref="LatePeers"/>), one a line.</summary>
    public const string PeersFile = "peers";

    /// <summary>The request path of a CA's CRL (DER), as the agent expects it.</summary>
    public static string CrlFile(string caId) => $"crl/{caId}.crl";

    /// <param name="crls">The trusted CAs' CRLs; they travel with the config (install, apply-config), which the config hash covers.</param>
    /// <param name="revokedPeers">
    /// The addresses of recently revoked certificates, with the config: once a CRL the host loads newly revokes a serial, it
    /// tears down its SAs with that serial's addresses. Not hashed: they matter only with a new CRL.
    /// </param>
    /// <param name="peers">Peers to initiate to once the conns are loaded (sent with install and apply-config; none: no file).</param>
    public static AgentRequest ForVerbs(IReadOnlyList<string> verbs, MeshPolicy policy, TrustBundle bundle, string configHash, string hostKeyType,
        IReadOnlyList<PublishedCrl>? crls = null, IReadOnlyList<RevokedPeer>? revokedPeers = null, IReadOnlyList<System.Net.IPAddress>? peers = null)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (verbs.Contains(AgentVerbs.Install) || verbs.Contains(AgentVerbs.ApplyConfig))
        {
            parameters["configHash"] = configHash;
            foreach (var (path, content) in policy.RenderBundle()) files[path] = content;
            files[CaBundleFile] = Encoding.ASCII.GetBytes(bundle.Pem);
            foreach (var crl in crls ?? []) files[CrlFile(crl.CaId)] = crl.Der;
            if (revokedPeers is { Count: > 0 })
                files[RevokedPeersFile] = Encoding.ASCII.GetBytes(string.Concat(revokedPeers.Select(peer => peer.ToLine() + "\n")));
            if (peers is { Count: > 0 }) files[PeersFile] = LatePeers.Render(peers);
        }
        if (verbs.Contains(AgentVerbs.Csr)) parameters["keyType"] = hostKeyType;
        return new AgentRequest(verbs, parameters, files);
    }

    /// <param name="peers">Peers to initiate to (a host's first certificate loads its certificate conns); none: no file.</param>
    public static AgentRequest InstallCert(string certificatePem, TrustBundle bundle, IReadOnlyList<System.Net.IPAddress>? peers = null) => AgentRequest.For(
        AgentVerbs.InstallCert,
        files: WithPeers(new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["host.crt"] = Encoding.ASCII.GetBytes(certificatePem),
            [CaBundleFile] = Encoding.ASCII.GetBytes(bundle.Pem),
        }, peers));

    /// <summary>
    /// The part of an <c>install-cert</c> that a batch of hosts shares (CA bundle, peers): the certificates
    /// go beside it, one line per host, in <see cref="CertificateBatch.FileName"/> (see <c>ISsmGateway.SendCertificateAsync</c>).
    /// </summary>
    public static AgentRequest InstallCertShared(TrustBundle bundle, IReadOnlyList<System.Net.IPAddress>? peers = null) => AgentRequest.For(
        AgentVerbs.InstallCert,
        files: WithPeers(new Dictionary<string, byte[]>(StringComparer.Ordinal) { [CaBundleFile] = Encoding.ASCII.GetBytes(bundle.Pem) }, peers));

    public static AgentRequest InstallP12(IssuedKeyPackage package, TrustBundle bundle, IReadOnlyList<System.Net.IPAddress>? peers = null) => AgentRequest.For(
        AgentVerbs.InstallP12,
        files: WithPeers(new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["host.p12"] = package.Pkcs12,
            ["p12-password.kms"] = package.EncryptedPassword,
            [CaBundleFile] = Encoding.ASCII.GetBytes(bundle.Pem),
        }, peers));

    private static Dictionary<string, byte[]> WithPeers(Dictionary<string, byte[]> files, IReadOnlyList<System.Net.IPAddress>? peers)
    {
        if (peers is { Count: > 0 }) files[PeersFile] = LatePeers.Render(peers);
        return files;
    }

    public static AgentRequest Status() => AgentRequest.For(AgentVerbs.Status);
}
