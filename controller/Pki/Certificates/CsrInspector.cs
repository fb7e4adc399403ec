using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Pkcs;

namespace IpsecMesh.Pki.Certificates;

/// <summary>
/// Checks a host's PKCS#10 request and returns only its public key: proof of possession is all a CSR
/// contributes, every name and extension in it is ignored.
/// </summary>
public static class CsrInspector
{
    public static SubjectPublicKeyInfo VerifiedPublicKey(byte[] csrDer, string instanceId)
    {
        Pkcs10CertificationRequest request;
        try
        {
            request = new Pkcs10CertificationRequest(csrDer);
        }
        catch (Exception error) when (error is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
        {
            throw new CsrRejectedException($"CSR of {instanceId} is not a DER PKCS#10 request", error);
        }

        var publicKey = request.GetCertificationRequestInfo().SubjectPublicKeyInfo;
        RequireAcceptableKey(publicKey, instanceId);

        bool verified;
        try
        {
            verified = request.Verify();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new CsrRejectedException($"CSR of {instanceId} has a signature that cannot be checked: {error.GetType().Name}", error);
        }

        return verified ? publicKey : throw new CsrRejectedException($"CSR of {instanceId} has a bad self-signature (proof of key possession failed)");
    }

    private static void RequireAcceptableKey(SubjectPublicKeyInfo publicKey, string instanceId)
    {
        var algorithm = publicKey.Algorithm.Algorithm;
        if (algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            var bits = RsaPublicKeyStructure.GetInstance(publicKey.ParsePublicKey()).Modulus.BitLength;
            if (bits < 2048)
            {
                throw new CsrRejectedException($"CSR of {instanceId} has an RSA key of {bits} bits; at least 2048 are required");
            }

            return;
        }

        if (algorithm.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            var curve = publicKey.Algorithm.Parameters as DerObjectIdentifier;
            if (!SecObjectIdentifiers.SecP256r1.Equals(curve) && !SecObjectIdentifiers.SecP384r1.Equals(curve) && !SecObjectIdentifiers.SecP521r1.Equals(curve))
            {
                throw new CsrRejectedException($"CSR of {instanceId} has an EC key on an unsupported curve; P-256, P-384 or P-521 are accepted");
            }

            return;
        }

        throw new CsrRejectedException($"CSR of {instanceId} has an unsupported key algorithm {algorithm.Id}; RSA or ECDSA are accepted");
    }
}
