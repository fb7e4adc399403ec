using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Keys;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Registry;
using IpsecMesh.Pki.Signing;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Benchmarks.Pki;

/// <summary>The key a host puts in its CSR: the agent makes P-256 or RSA-2048 keys.</summary>
internal enum CsrKey
{
    EcdsaP256,
    Rsa2048,
}

/// <summary>
/// The product's issuance path wired as the controller wires it, on in-memory ports: <see cref="MeshCertificateAuthority"/>
/// with an envelope CA key opened by <see cref="CaKeyring"/>, the registry on <see cref="InMemoryObjectStore"/>, and a
/// logger that formats every line (as the JSON console logger does on the caller's thread) and drops it.
/// </summary>
internal sealed class IssuanceRig : IDisposable
{
    private const int CsrCount = 64;
    private readonly CaKeyring _keyring;
    private readonly IssuanceRegistry _registry;

    private IssuanceRig(CaAlgorithm algorithm, CsrKey csrKey)
    {
        var options = new PkiOptions { CaAlgorithm = algorithm, CaKeyMode = CaKeyMode.Envelope, CaKmsKeyId = "alias/ipsec-mesh-ca", Bucket = "benchmark" }.EnsureValid();
        var store = new InMemoryObjectStore();
        var kms = new InMemoryKeyService();
        var logs = new FormattingLoggerFactory();
        _keyring = new CaKeyring(store, kms, options, TimeProvider.System, logs.CreateLogger<CaKeyring>());
        _registry = new IssuanceRegistry(store, _keyring, options, new PkiCounters(), TimeProvider.System, logs.CreateLogger<IssuanceRegistry>());
        Logger = logs.CreateLogger<MeshCertificateAuthority>();
        Authority = new MeshCertificateAuthority(_keyring, _registry, kms, new FastestHostKeyGenerator(), options, TimeProvider.System, Logger);
        Administration = new CaAdministration(store, kms, _keyring, options, TimeProvider.System, logs.CreateLogger<CaAdministration>());
        Algorithm = algorithm;
        CsrKey = csrKey;
        HostKey = csrKey == CsrKey.EcdsaP256 ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        Csrs = [.. Enumerable.Range(0, CsrCount).Select(_ => Csr(csrKey))];
    }

    public static HostIdentity Identity { get; } = new(
        "i-0123456789abcdef0",
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0",
        "ip-10-0-1-23.eu-west-1.compute.internal",
        [],
        [IPAddress.Parse("10.0.1.23"), IPAddress.Parse("10.0.2.7")]);

    public CaAlgorithm Algorithm { get; }

    public CsrKey CsrKey { get; }

    public MeshCertificateAuthority Authority { get; }

    /// <summary>The authority's logger, for <see cref="IssuanceSteps"/>.</summary>
    public ILogger<MeshCertificateAuthority> Logger { get; }

    private CaAdministration Administration { get; }

    /// <summary>One key of the CSRs' kind, for the raw verification rate.</summary>
    public AsymmetricAlgorithm HostKey { get; }

    /// <summary>Distinct CSRs, each with its own key, as hosts send them.</summary>
    public IReadOnlyList<byte[]> Csrs { get; }

    public static async Task<IssuanceRig> StartAsync(CaAlgorithm algorithm, CsrKey csrKey)
    {
        var rig = new IssuanceRig(algorithm, csrKey);
        await rig.Administration.InitAsync(withBackup: false, CancellationToken.None);
        return rig;
    }

    /// <summary>The current CA's own key, opened from its envelope as the keyring opens it, in a separate object.</summary>
    public async Task<AsymmetricAlgorithm> CaKeyAsync()
    {
        var ca = (await _keyring.GetSnapshotAsync(CancellationToken.None)).Current;
        var signingKey = (DotNetCaSigningKey)await _keyring.GetSigningKeyAsync(ca, CancellationToken.None);
        var pkcs8 = signingKey.ExportPkcs8();
        try
        {
            AsymmetricAlgorithm key = Algorithm == CaAlgorithm.EcdsaP384 ? ECDsa.Create() : RSA.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>The current CA and its opened key, as the authority gets them for each certificate.</summary>
    public async Task<(LoadedCa Ca, ICaSigningKey Key)> CurrentCaAsync()
    {
        var ca = (await _keyring.GetSnapshotAsync(CancellationToken.None)).Current;
        return (ca, await _keyring.GetSigningKeyAsync(ca, CancellationToken.None));
    }

    public Task RecordAsync(IssuedCertificate certificate) => _registry.RecordAsync(certificate, CancellationToken.None);

    public Task IssueAsync(int i) => Authority.SignCsrAsync(Csrs[i % Csrs.Count], Identity, "benchmark", CancellationToken.None);

    public void Dispose()
    {
        HostKey.Dispose();
        _registry.Dispose();
        _keyring.Dispose();
    }

    private static byte[] Csr(CsrKey kind)
    {
        using AsymmetricAlgorithm key = kind == CsrKey.EcdsaP256 ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var request = key is RSA rsa
            ? new CertificateRequest("CN=host", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=host", (ECDsa)key, HashAlgorithmName.SHA256);
        return request.CreateSigningRequest();
    }

    /// <summary>Formats every message, as a console logger does before queueing it, and keeps only its length.</summary>
    private sealed class FormattingLoggerFactory
    {
        private long _characters;

        public ILogger<T> CreateLogger<T>() => new FormattingLogger<T>(this);

        private sealed class FormattingLogger<T>(FormattingLoggerFactory owner) : ILogger<T>
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    Interlocked.Add(ref owner._characters, formatter(state, exception).Length);
                }
            }
        }
    }
}
