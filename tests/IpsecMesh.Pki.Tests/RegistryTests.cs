using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Storage;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

public sealed class RegistryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Current_certificates_come_from_one_listing_without_any_read()
    {
        var counting = new CountingObjectStore(new InMemoryObjectStore());
        using var pki = await PkiFixture.StartAsync(PkiFixture.DefaultOptions(), counting);
        var first = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        pki.Time.Advance(TimeSpan.FromDays(8));
        var renewed = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "renew", Ct);
        var other = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bbbb", "10.0.5.5"), "enrol", Ct);
        counting.Reset();

        var current = await pki.Registry.LoadCurrentAsync(Ct);

        Assert.Equal(0, counting.Gets);
        Assert.Equal(1, counting.Lists);
        Assert.Equal(2, current.Count);
        Assert.Equal(renewed with { CertificatePem = string.Empty }, current["i-0aaaa"]);
        Assert.Equal(other with { CertificatePem = string.Empty }, current["i-0bbbb"]);
        Assert.NotEqual(first.SerialHex, current["i-0aaaa"].SerialHex);
    }

    [Fact]
    public async Task Pem_of_a_listed_certificate_is_fetched_on_demand()
    {
        using var pki = await PkiFixture.StartAsync();
        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);
        var listed = (await pki.Registry.LoadCurrentAsync(Ct))[issued.InstanceId];

        var pem = await pki.Registry.GetCertificatePemAsync(listed, Ct);

        Assert.Equal(issued.CertificatePem, pem);
    }

    [Fact]
    public async Task Registry_holds_certificates_only_never_a_key()
    {
        using var pki = await PkiFixture.StartAsync();
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);
        await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0bbbb"), "enrol", Ct);

        foreach (var key in pki.Memory.Keys.Where(key => key.StartsWith("issued/", StringComparison.Ordinal)))
        {
            var text = System.Text.Encoding.ASCII.GetString((await pki.Memory.GetAsync(key, Ct))!.Content);
            Assert.DoesNotContain("PRIVATE KEY", text);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", text);
        }
    }

    [Fact]
    public void Registry_key_round_trips_every_field()
    {
        var certificate = new IssuedCertificate(
            "i-0abc", "4f00aa", new DateTimeOffset(2026, 1, 1, 7, 55, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 31, 8, 0, 0, TimeSpan.Zero), "0badcafe", "0123456789abcdef", string.Empty);

        var key = RegistryLayout.CertificateKey(certificate);

        Assert.Equal("issued/i-0abc/20260131T080000Z_20260101T075500Z_4f00aa_0badcafe_0123456789abcdef.pem", key);
        Assert.Equal(certificate, RegistryLayout.Parse(key)!.Certificate);
    }

    [Theory]
    [InlineData("../ca/state.json")]
    [InlineData("i-0abc/../x")]
    [InlineData("crl")]
    [InlineData("")]
    public void Registry_refuses_an_instance_id_that_is_not_one(string instanceId)
    {
        Assert.Throws<ArgumentException>(() => RegistryLayout.InstancePrefix(instanceId));
    }
}
