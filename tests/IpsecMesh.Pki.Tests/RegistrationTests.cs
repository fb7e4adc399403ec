using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Storage;
using IpsecMesh.Pki.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IpsecMesh.Pki.Tests;

public sealed class RegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registered_pki_issues_once_the_ports_are_provided()
    {
        var services = new ServiceCollection()
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSingleton<IObjectStore, InMemoryObjectStore>()
            .AddSingleton<IKeyService, InMemoryKeyService>()
            .AddIpsecMeshPki(PkiFixture.DefaultOptions());
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, Ct);
        var issued = await provider.GetRequiredService<IMeshCertificateAuthority>()
            .SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);

        Assert.Contains(issued.InstanceId, (await provider.GetRequiredService<IIssuanceRegistry>().LoadCurrentAsync(Ct)).Keys);
    }

    [Fact]
    public void Registration_rejects_invalid_options_with_every_error()
    {
        var options = new PkiOptions { RenewAfter = TimeSpan.FromDays(60) };

        var error = Assert.Throws<PkiOptionsException>(() => new ServiceCollection().AddIpsecMeshPki(options));

        Assert.Equal(2, error.Errors.Count);
    }

    [Fact]
    public async Task Instance_without_any_name_or_address_gets_no_certificate()
    {
        using var pki = await PkiFixture.StartAsync();
        var nameless = new HostIdentity("i-0aaaa", Hosts.ArnOf("i-0aaaa"), string.Empty, [], []);

        await Assert.ThrowsAsync<ArgumentException>(() => pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), nameless, "enrol", Ct));
    }
}
