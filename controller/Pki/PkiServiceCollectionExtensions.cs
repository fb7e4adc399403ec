using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Keys;
using IpsecMesh.Pki.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IpsecMesh.Pki;

public static class PkiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the mesh PKI. The caller registers the ports: <see cref="Storage.IObjectStore"/>
    /// (e.g. <see cref="Storage.S3ObjectStore"/>) and <see cref="Kms.IKeyService"/> (e.g. <see cref="Kms.KmsKeyService"/>).
    /// </summary>
    public static IServiceCollection AddIpsecMeshPki(this IServiceCollection services, PkiOptions options)
    {
        services.AddSingleton(options.EnsureValid());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHostKeyGenerator, FastestHostKeyGenerator>();
        services.TryAddSingleton<CaKeyring>();
        services.TryAddSingleton<PkiCounters>();
        services.TryAddSingleton<IIssuanceRegistry, IssuanceRegistry>();
        services.TryAddSingleton<IMeshCertificateAuthority, MeshCertificateAuthority>();
        services.TryAddSingleton<CaAdministration>();
        services.TryAddSingleton<CaRetirement>();
        return services;
    }
}
