using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;

namespace IpsecMesh.Pki.Certificates;

/// <summary>
/// Checks a host's PKCS#10 request and returns only its public key: proof of possession is all a CSR contributes,
/// every name and extension in it is ignored. A CSR comes from a host that may be hostile, so its cost is bounded
/// before anything expensive runs: its size first (<see cref="MaxDerBytes"/>), then its key's algorithm, size and
/// exponent read from the DER without building big integers (<see cref="CsrKeyPolicy"/>), and only then the
/// signature (<see cref="CsrSignature"/>). Each refusal is a <see cref="CsrRejectedException"/> whose one-sentence message reaches the instance's
/// status tag.
/// </summary>
public static class CsrInspector
{
    /// <summary>The largest CSR accepted, in DER bytes: an RSA-4096 request is about 1.2 kB, a P-384 one about 0.4 kB.</summary>
    public const int MaxDerBytes = 4096;

    /// <summary>The base64 length of <see cref="MaxDerBytes"/> (padded, no line breaks: the agent sends <c>base64 -w0</c>).</summary>
    public const int MaxBase64Length = (MaxDerBytes + 2) / 3 * 4;

    /// <summary>Refuses a base64 CSR longer than <see cref="MaxBase64Length"/> characters, before it is decoded.</summary>
    /// <exception cref="CsrRejectedException">The text is too long.</exception>
    public static void RequireBase64Length(string csrBase64, string instanceId)
    {
        if (csrBase64.Length > MaxBase64Length)
        {
            throw new CsrRejectedException($"CSR of {instanceId} is {csrBase64.Length} base64 characters; at most {MaxBase64Length} ({MaxDerBytes} bytes) are accepted");
        }
    }

    /// <returns>The CSR's public key, once the request passed every check and its self-signature verified.</returns>
    /// <exception cref="CsrRejectedException">Too large, not DER PKCS#10, a key outside <see cref="CsrKeyPolicy"/>, or a bad signature.</exception>
    public static SubjectPublicKeyInfo VerifiedPublicKey(byte[] csrDer, string instanceId)
    {
        if (csrDer.Length > MaxDerBytes)
        {
            throw new CsrRejectedException($"CSR of {instanceId} is {csrDer.Length} bytes; at most {MaxDerBytes} are accepted");
        }

        Pkcs10CertificationRequest request;
        SubjectPublicKeyInfo publicKey;
        try
        {
            // Parsing is linear in the (bounded) size: integers stay bytes until someone asks for their value.
            request = new Pkcs10CertificationRequest(csrDer);
            publicKey = request.GetCertificationRequestInfo().SubjectPublicKeyInfo;
        }
        catch (Exception error) when (error is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
        {
            throw new CsrRejectedException($"CSR of {instanceId} is not a DER PKCS#10 request", error);
        }

        CsrKeyPolicy.RequireAcceptable(publicKey, instanceId);

        bool verified;
        try
        {
            verified = CsrSignature.Verify(request, publicKey);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new CsrRejectedException($"CSR of {instanceId} has a signature that cannot be checked: {error.GetType().Name}", error);
        }

        return verified ? publicKey : throw new CsrRejectedException($"CSR of {instanceId} has a bad self-signature (proof of key possession failed)");
    }
}
