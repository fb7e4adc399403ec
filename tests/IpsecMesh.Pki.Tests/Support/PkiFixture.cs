using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Keys;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Pki.Tests.Support;

/// <summary>The whole PKI wired on in-memory ports, a fake clock and captured logs.</summary>
public sealed class PkiFixture : IDisposable
{
    public const string CaKmsKeyId = "alias/ipsec-mesh-ca";
    public const string HostKmsKeyId = "alias/ipsec-mesh-hosts";

    private PkiFixture(PkiOptions options, IObjectStore? store, IKeyService? keyService, FakeTimeProvider? time)
    {
        Options = options;
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        Memory = new InMemoryObjectStore(Time);
        Store = store ?? Memory;
        KeyService = keyService ?? Kms;
        Keyring = new CaKeyring(Store, KeyService, options, Time, Logs.For<CaKeyring>());
        Registry = new IssuanceRegistry(Store, Keyring, options, Counters, Time, Logs.For<IssuanceRegistry>());
        Authority = new MeshCertificateAuthority(Keyring, Registry, KeyService, new FastestHostKeyGenerator(), options, Time, Logs.For<MeshCertificateAuthority>());
        Administration = new CaAdministration(Store, KeyService, Keyring, options, Time, Logs.For<CaAdministration>());
    }

    public PkiOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryObjectStore Memory { get; }

    public IObjectStore Store { get; }

    public InMemoryKeyService Kms { get; } = new();

    /// <summary>The key service the components use: <see cref="Kms"/> unless a test passes another.</summary>
    public IKeyService KeyService { get; }

    public CapturedLogs Logs { get; } = new();

    public PkiCounters Counters { get; } = new();

    public CaKeyring Keyring { get; }

    public IssuanceRegistry Registry { get; }

    public MeshCertificateAuthority Authority { get; }

    public CaAdministration Administration { get; }

    public static PkiOptions DefaultOptions(CaAlgorithm algorithm = CaAlgorithm.EcdsaP384, CaKeyMode mode = CaKeyMode.Envelope) => new()
    {
        CaAlgorithm = algorithm,
        CaKeyMode = mode,
        CaKmsKeyId = CaKmsKeyId,
        HostKmsKeyId = HostKmsKeyId,
        EnrolmentMode = EnrolmentMode.ControllerKey,
        Bucket = "ipsec-mesh-test",
    };

    /// <summary>A fixture with an initialised CA.</summary>
    public static async Task<PkiFixture> StartAsync(PkiOptions options, IObjectStore? store = null, IKeyService? keyService = null, FakeTimeProvider? time = null)
    {
        var fixture = new PkiFixture(options.EnsureValid(), store, keyService, time);
        if (options.CaKeyMode == CaKeyMode.KmsSigner && keyService is null)
        {
            fixture.Kms.CreateSigningKey(options.CaKmsKeyId, options.CaAlgorithm);
        }

        await fixture.Administration.InitAsync(withBackup: false, TestContext.Current.CancellationToken);
        return fixture;
    }

    public static Task<PkiFixture> StartAsync(CaAlgorithm algorithm = CaAlgorithm.EcdsaP384, CaKeyMode mode = CaKeyMode.Envelope) =>
        StartAsync(DefaultOptions(algorithm, mode));

    public static PkiFixture Unstarted(PkiOptions options) => new(options.EnsureValid(), null, null, null);

    public void Dispose()
    {
        Registry.Dispose();
        Keyring.Dispose();
    }
}
