using System.Security.Cryptography;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Tests.Support;
using IpsecMesh.Tests.Shared;

namespace IpsecMesh.Pki.Tests.Certificates;

/// <summary>
/// A hostile host's CSR is refused, with a reason for its status tag, before anything that costs more than reading
/// a few kilobytes: each shape below would reach the signature check (or a big-integer parse) without its own rule.
/// </summary>
public sealed class HostileCsrTests
{
    private const string InstanceId = "i-0abc1234def567890";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_found_csr_with_a_15360_bit_modulus_and_a_15300_bit_exponent_is_refused_for_its_size_before_decoding()
    {
        var der = HostileCsrs.HugeModulusAndExponent();
        var base64 = Convert.ToBase64String(der);

        var fromText = Assert.Throws<CsrRejectedException>(() => CsrInspector.RequireBase64Length(base64, InstanceId));
        var fromBytes = Assert.Throws<CsrRejectedException>(() => CsrInspector.VerifiedPublicKey(der, InstanceId));

        Assert.Equal(7_784, base64.Length);
        Assert.Equal($"CSR of {InstanceId} is 7784 base64 characters; at most 5464 (4096 bytes) are accepted", fromText.Message);
        Assert.Equal($"CSR of {InstanceId} is {der.Length} bytes; at most 4096 are accepted", fromBytes.Message);
    }

    [Fact]
    public void A_base64_csr_of_the_largest_accepted_size_passes_the_length_check()
    {
        CsrInspector.RequireBase64Length(new string('A', CsrInspector.MaxBase64Length), InstanceId);

        Assert.Throws<CsrRejectedException>(() => CsrInspector.RequireBase64Length(new string('A', CsrInspector.MaxBase64Length + 1), InstanceId));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "huge exponent", "public exponent is not 65537" },
        { "exponent 3", "public exponent is not 65537" },
        { "rsa 8192", "RSA key of 8192 bits; 2048 to 4096 bits are accepted" },
        { "rsa 1536", "RSA key of 1536 bits; 2048 to 4096 bits are accepted" },
        { "p-521", "EC key on curve 1.3.132.0.35; P-256 or P-384 are accepted" },
        { "secp256k1", "EC key on curve 1.3.132.0.10; P-256 or P-384 are accepted" },
        { "explicit curve", "EC key without a named curve" },
        { "p-256 point of p-384 size", "malformed EC public key" },
        { "ed25519", "unsupported key algorithm 1.3.101.112" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_key_outside_the_policy_is_refused_with_its_reason_and_nothing_is_issued(string kind, string reason)
    {
        using var pki = await PkiFixture.StartAsync();
        var der = kind switch
        {
            "huge exponent" => HostileCsrs.HugeExponent(),
            "exponent 3" => HostileCsrs.SmallExponent(),
            "rsa 8192" => HostileCsrs.RsaOf(8_192),
            "rsa 1536" => HostileCsrs.RsaOf(1_536),
            "p-521" => HostileCsrs.P521(),
            "secp256k1" => HostileCsrs.Secp256k1(),
            "explicit curve" => HostileCsrs.ExplicitCurve(),
            "p-256 point of p-384 size" => HostileCsrs.EcOn(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, 97),
            "ed25519" => HostileCsrs.Ed25519(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        Assert.True(der.Length <= CsrInspector.MaxDerBytes, $"{kind} must fit the size limit, so that its key rule is what refuses it");

        var error = await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync(der, Hosts.Identity(), "enrol", Ct));

        Assert.StartsWith($"CSR of {Hosts.Identity().InstanceId} has a", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Empty(await pki.Registry.LoadCurrentAsync(Ct));
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(4096)]
    public async Task Rsa_keys_of_2048_and_4096_bits_with_exponent_65537_are_signed(int bits)
    {
        using var pki = await PkiFixture.StartAsync();
        using var key = RSA.Create(bits);

        var issued = await pki.Authority.SignCsrAsync(Hosts.CsrWithForeignNames(key), Hosts.Identity(), "enrol", Ct);

        Assert.Equal(issued.SerialHex, (await pki.Registry.LoadCurrentAsync(Ct))[Hosts.Identity().InstanceId].SerialHex);
    }

    [Fact]
    public async Task Ec_keys_on_p256_and_p384_are_signed()
    {
        using var pki = await PkiFixture.StartAsync();
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        await pki.Authority.SignCsrAsync(Hosts.CsrWithForeignNames(p256), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        await pki.Authority.SignCsrAsync(Hosts.CsrWithForeignNames(p384), Hosts.Identity("i-0bbbb"), "enrol", Ct);

        Assert.Equal(2, (await pki.Registry.LoadCurrentAsync(Ct)).Count);
    }
}
