using IpsecMesh.Pki.Authority;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// Decides whether a CRL read back from <c>issued/crl/</c> is the CA's own. A writer of <c>issued/</c> can put anything
/// there; nothing from it is believed (let alone signed again) unless it passes here.
/// </summary>
internal static class StoredCrlCheck
{
    /// <summary>Far above any CRL the mesh publishes (hosts get them through SSM, which caps a command at a few tens of kB).</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <returns>The verified CRL, or null with <paramref name="problem"/> set to one of <see cref="CrlProblems"/>.</returns>
    public static VerifiedCrl? Verify(byte[] der, LoadedCa ca, out string problem)
    {
        problem = string.Empty;
        if (der.Length > MaxBytes)
        {
            problem = CrlProblems.TooLarge;
            return null;
        }

        // BouncyCastle reports a malformed or foreign CRL through many exception types; any of them means "not ours".
        X509Crl? crl;
        try
        {
            crl = new X509CrlParser().ReadCrl(der);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            crl = null;
        }

        if (crl is null)
        {
            problem = CrlProblems.Unparseable;
            return null;
        }

        if (!crl.IssuerDN.Equivalent(ca.Certificate.SubjectDN, inOrder: true))
        {
            problem = CrlProblems.WrongIssuer;
            return null;
        }

        try
        {
            crl.Verify(ca.Certificate.GetPublicKey());
            return new VerifiedCrl(crl);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            problem = CrlProblems.BadSignature;
            return null;
        }
    }
}
