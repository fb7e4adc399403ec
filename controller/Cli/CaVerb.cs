using IpsecMesh.Core.Hosting;
using IpsecMesh.Pki.Authority;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh ca init|import|rotate|show</c>: the mesh CA's lifecycle, stored under s3://BUCKET/ca/.</summary>
public sealed class CaVerb(Func<bool> stderrIsTerminal, TextWriter terminal) : ICliVerb
{
    /// <summary>The verb on this process's standard error.</summary>
    public CaVerb()
        : this(() => !Console.IsErrorRedirected, Console.Error)
    {
    }

    public string Name => "ca";
    public string Summary => "mesh CA lifecycle: ca init | import | rotate | show";
    public string Usage => """
        usage: ipsec-mesh ca init [--if-missing] [--backup FILE [--backup-password-file FILE2]] [--json]
               ipsec-mesh ca import --cert CERT.pem --key KEY.pem [--json]
               ipsec-mesh ca rotate [--kms-key KEY-ID] [--json]
               ipsec-mesh ca show [--json]

        Settings as for `run` (IpsecMesh__Bucket, IpsecMesh__CaKmsKeyId, IpsecMesh__CaKeyMode=Envelope|KmsSigner,
        IpsecMesh__CaAlgorithm=EcdsaP384|Rsa4096). The CA key is stored only envelope-encrypted under KMS
        (or never leaves KMS in KmsSigner mode). `init --backup FILE --backup-password-file FILE2` also writes
        the CA key as encrypted PKCS#8 to FILE and its password to FILE2 (both new files, mode 0600): keep them
        offline, apart. Without FILE2 the password is printed once on standard error, and only when that is a
        terminal; otherwise init refuses before creating anything.
        `init --if-missing` exits 0 without a change when a CA exists (idempotent bootstrap, e.g. docker compose).
        `rotate` introduces a new CA; hosts trust both during the overlap and are re-issued from the new one.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json", "if-missing" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var action = args.Positionals.Count == 1 ? args.Positionals[0] : throw new CliException("expected one of: init, import, rotate, show");
        var json = args.Has("json");
        var ifMissing = action == "init" && args.Has("if-missing");
        var backupFile = action == "init" ? args.Get("backup") : null;
        var passwordFile = action == "init" ? args.Get("backup-password-file") : null;
        var certFile = action == "import" ? args.Get("cert") ?? throw new CliException("ca import needs --cert") : null;
        var keyFile = action == "import" ? args.Get("key") ?? throw new CliException("ca import needs --key") : null;
        var kmsKey = action == "rotate" ? args.Get("kms-key") : null;
        args.EnsureAllUsed();
        // Before the CA exists: a backup that cannot be written, or whose password would land in collected logs, stops here.
        await using var backupOutput = CaBackupOutput.Open(backupFile, passwordFile, stderrIsTerminal(), terminal);

        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddIpsecMeshAws(CliConfiguration.Build(), transport: null, time: null, forController: false);
        await using var provider = services.BuildServiceProvider();
        var admin = provider.GetRequiredService<CaAdministration>();
        try
        {
            if (ifMissing && await admin.ExistsAsync(cancellationToken))
            {
                Console.Error.WriteLine("ipsec-mesh ca init: a mesh CA exists; nothing to do (--if-missing)");
                Print((await admin.ShowAsync(cancellationToken))[0], json);
                return 0;
            }
            return await RunActionAsync(admin, action, json, backupOutput, certFile, keyFile, kmsKey, cancellationToken);
        }
        catch (Exception e) when (e is CaStoreException or ArgumentException)
        {
            // The PKI's own one-sentence refusals (a CA exists, a subject is taken, a key does not match); they never quote a key.
            Console.Error.WriteLine($"ipsec-mesh ca {action}: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunActionAsync(CaAdministration admin, string action, bool json, CaBackupOutput? backupOutput,
        string? certFile, string? keyFile, string? kmsKey, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case "init":
                var created = await admin.InitAsync(withBackup: backupOutput is not null, cancellationToken);
                if (created.Backup is { } backup && backupOutput is not null) await backupOutput.WriteAsync(backup, cancellationToken);
                Print(created.Ca, json);
                return 0;
            case "import":
                var imported = await admin.ImportAsync(await File.ReadAllTextAsync(certFile!, cancellationToken), await File.ReadAllTextAsync(keyFile!, cancellationToken), cancellationToken);
                Print(imported, json);
                return 0;
            case "rotate":
                Print(await admin.RotateAsync(kmsKey, cancellationToken), json);
                return 0;
            case "show":
                var all = await admin.ShowAsync(cancellationToken);
                if (json) JsonOutput.Write(all.Select(Describe));
                else foreach (var ca in all) PrintText(ca);
                return all.Count > 0 ? 0 : 1;
            default:
                throw new CliException($"unknown ca action '{action}'");
        }
    }

    private static void Print(CaDescription ca, bool json)
    {
        if (json) JsonOutput.Write(Describe(ca));
        else PrintText(ca);
    }

    private static object Describe(CaDescription ca) => new
    {
        caId = ca.CaId,
        role = ca.Role.ToString(),
        subject = ca.Subject,
        notBefore = ca.NotBefore,
        notAfter = ca.NotAfter,
        sha256Fingerprint = ca.Sha256Fingerprint,
        keyMode = ca.KeyMode.ToString(),
        algorithm = ca.Algorithm.ToString(),
        retireAt = ca.RetireAt,
    };

    private static void PrintText(CaDescription ca)
    {
        Console.WriteLine($"{ca.Role} CA {ca.CaId}: {ca.Subject}");
        Console.WriteLine($"  valid {ca.NotBefore:u} .. {ca.NotAfter:u}; {ca.Algorithm}, key mode {ca.KeyMode}");
        Console.WriteLine($"  SHA-256 fingerprint {ca.Sha256Fingerprint}");
        if (ca.RetireAt is { } retire) Console.WriteLine($"  leaves the trust bundle at {retire:u}");
    }
}
