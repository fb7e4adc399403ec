using System.Security.Cryptography.X509Certificates;
using System.Text;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>The requests the controller sends, built from the real protocol and policy types.</summary>
internal static class Requests
{
    public static AgentRequest Status() => AgentRequest.For(AgentVerbs.Status);

    public static AgentRequest Uninstall() => AgentRequest.For(AgentVerbs.Uninstall);

    public static AgentRequest Csr(string keyType) =>
        AgentRequest.For(AgentVerbs.Csr, new Dictionary<string, string> { ["keyType"] = keyType });

    public static AgentRequest Config(string verb, MeshPolicy? policy = null)
    {
        policy ??= MeshPolicy.Default;
        return AgentRequest.For(verb, new Dictionary<string, string> { ["configHash"] = policy.Hash }, policy.RenderBundle());
    }

    /// <summary>A config verb that also carries the CA bundle and CRLs (crl/&lt;caId&gt;.crl), as the controller sends it.</summary>
    /// <param name="revokedPeers">The file revoked-peers (lines <c>serial address</c>), when given.</param>
    public static AgentRequest ConfigWithCrls(string verb, byte[] caBundlePem, IReadOnlyDictionary<string, byte[]> crlsByCaId, MeshPolicy? policy = null,
        string? revokedPeers = null)
    {
        policy ??= MeshPolicy.Default;
        var files = policy.RenderBundle().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        files["ca-bundle.pem"] = caBundlePem;
        foreach (var (caId, der) in crlsByCaId) files[$"crl/{caId}.crl"] = der;
        if (revokedPeers is not null) files["revoked-peers"] = Encoding.ASCII.GetBytes(revokedPeers);
        return AgentRequest.For(verb, new Dictionary<string, string> { ["configHash"] = policy.Hash }, files);
    }

    public static AgentRequest InstallAndCsr(string keyType, MeshPolicy? policy = null)
    {
        policy ??= MeshPolicy.Default;
        return new AgentRequest([AgentVerbs.Install, AgentVerbs.Csr],
            new Dictionary<string, string> { ["configHash"] = policy.Hash, ["keyType"] = keyType }, policy.RenderBundle());
    }

    public static AgentRequest InstallCert(X509Certificate2 certificate, byte[] caBundlePem) =>
        AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]>
        {
            ["host.crt"] = Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()),
            ["ca-bundle.pem"] = caBundlePem,
        });
}
