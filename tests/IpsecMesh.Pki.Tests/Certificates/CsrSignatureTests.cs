using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Tests.Support;
using IpsecMesh.Tests.Shared;
using Org.BouncyCastle.Pkcs;

namespace IpsecMesh.Pki.Tests.Certificates;

/// <summary>
/// The CSR self-signature check: RSA and P-256 requests are verified with System.Security.Cryptography, everything
/// else with BouncyCastle, and both give the answer BouncyCastle alone gave before.
/// </summary>
public sealed class CsrSignatureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Kinds => new()
    {
        { "rsa2048", "SHA256" },
        { "rsa2048", "SHA384" },
        { "rsa2048", "SHA512" },
        { "rsa4096", "SHA256" },
        { "p256", "SHA256" },
        { "p256", "SHA384" },
        { "p256", "SHA512" },
        { "p384", "SHA384" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_request_verifies_and_the_same_request_with_one_changed_bit_does_not_as_with_bouncycastle(string kind, string hash)
    {
        var csr = Csr(kind, new HashAlgorithmName(hash));
        var request = new Pkcs10CertificationRequest(csr);
        var publicKey = request.GetCertificationRequestInfo().SubjectPublicKeyInfo;

        Assert.True(CsrSignature.Verify(request, publicKey));
        Assert.True(request.Verify());

        // One bit of the subject (inside the signed info), then one bit of the signature.
        foreach (var tampered in new[] { FlipInSubject(csr), FlipLastByte(csr) })
        {
            var bad = new Pkcs10CertificationRequest(tampered);
            var badKey = bad.GetCertificationRequestInfo().SubjectPublicKeyInfo;
            Assert.False(CsrSignature.Verify(bad, badKey));
            Assert.False(bad.Verify());
        }
    }

    [Theory]
    [InlineData("rsa2048", "SHA256", "DotNet")]
    [InlineData("rsa4096", "SHA512", "DotNet")]
    [InlineData("p256", "SHA256", "DotNet")]
    [InlineData("p256", "SHA384", "DotNet")]
    [InlineData("p384", "SHA384", "BouncyCastle")]
    public void Rsa_and_p256_requests_are_checked_by_dotnet_and_p384_ones_by_bouncycastle(string kind, string hash, string expected)
    {
        var request = new Pkcs10CertificationRequest(Csr(kind, new HashAlgorithmName(hash)));

        Assert.Equal(Enum.Parse<CsrVerifier>(expected), CsrSignature.VerifierFor(request, request.GetCertificationRequestInfo().SubjectPublicKeyInfo));
    }

    [Fact]
    public void A_sha1_rsa_request_is_still_checked_by_bouncycastle()
    {
        using var key = RSA.Create(2048);
        var pair = Org.BouncyCastle.Security.DotNetUtilities.GetRsaKeyPair(key);
        var request = new Pkcs10CertificationRequest("SHA1WITHRSA", new Org.BouncyCastle.Asn1.X509.X509Name("CN=host"), pair.Public, null, pair.Private);
        var publicKey = request.GetCertificationRequestInfo().SubjectPublicKeyInfo;

        Assert.Equal(CsrVerifier.BouncyCastle, CsrSignature.VerifierFor(request, publicKey));
        Assert.True(CsrSignature.Verify(request, publicKey));
    }

    [Theory]
    [InlineData("rsa2048")]
    [InlineData("p256")]
    public async Task A_signature_of_random_bytes_is_a_bad_self_signature_and_nothing_is_issued(string kind)
    {
        using var pki = await PkiFixture.StartAsync();
        var csr = Csr(kind, HashAlgorithmName.SHA256);
        var signatureBytes = kind == "p256" ? 70 : 256;
        RandomNumberGenerator.Fill(csr.AsSpan(csr.Length - signatureBytes));

        var error = await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync(csr, Hosts.Identity(), "enrol", Ct));

        Assert.Equal("CSR of i-0abc1234def567890 has a bad self-signature (proof of key possession failed)", error.Message);
        Assert.Empty(await pki.Registry.LoadCurrentAsync(Ct));
    }

    [Fact]
    public async Task A_p256_point_off_the_curve_is_refused_before_anything_is_signed()
    {
        using var pki = await PkiFixture.StartAsync();
        var csr = HostileCsrs.EcOn(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, 65);

        var error = await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync(csr, Hosts.Identity(), "enrol", Ct));

        Assert.Equal("CSR of i-0abc1234def567890 has a signature that cannot be checked: ArgumentException", error.Message);
        Assert.Empty(await pki.Registry.LoadCurrentAsync(Ct));
    }

    private static byte[] Csr(string kind, HashAlgorithmName hash)
    {
        using AsymmetricAlgorithm key = kind switch
        {
            "rsa2048" => RSA.Create(2048),
            "rsa4096" => RSA.Create(4096),
            "p256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var request = key is RSA rsa
            ? new CertificateRequest("CN=host-abcdefgh", rsa, hash, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=host-abcdefgh", (ECDsa)key, hash);
        return request.CreateSigningRequest();
    }

    private static byte[] FlipInSubject(byte[] csr)
    {
        var copy = (byte[])csr.Clone();
        var at = copy.AsSpan().IndexOf("abcdefgh"u8);
        copy[at] ^= 0x02;
        return copy;
    }

    private static byte[] FlipLastByte(byte[] csr)
    {
        var copy = (byte[])csr.Clone();
        copy[^1] ^= 0x01;
        return copy;
    }
}
