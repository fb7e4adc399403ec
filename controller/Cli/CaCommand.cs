using System.CommandLine;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Pki.Authority;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Cli;

/// <summary>
/// <c>ipsec-mesh ca init|import|rotate|show</c>: the mesh CA's lifecycle, stored under s3://BUCKET/ca/. Settings as for
/// <c>run</c> (IpsecMesh__Bucket, IpsecMesh__CaKmsKeyId, IpsecMesh__CaKeyMode, IpsecMesh__CaAlgorithm). The PKI's
/// refusals (a CA exists, there is none, a key does not match) are one sentence on standard error and exit 1.
/// </summary>
public sealed class CaCommand
{
    private readonly Func<bool> _stderrIsTerminal;
    private readonly TextWriter _terminal;

    /// <summary>The verb on this process's standard error.</summary>
    public CaCommand()
        : this(() => !Console.IsErrorRedirected, Console.Error)
    {
    }

    /// <param name="stderrIsTerminal">Whether standard error is a terminal (where a backup's password may be shown).</param>
    /// <param name="terminal">Standard error.</param>
    public CaCommand(Func<bool> stderrIsTerminal, TextWriter terminal)
    {
        _stderrIsTerminal = stderrIsTerminal;
        _terminal = terminal;
        Command = new Command("ca", """
            mesh CA lifecycle: ca init | import | rotate | show.
            The CA key is stored only envelope-encrypted under KMS (or never leaves KMS in KmsSigner mode).
            Settings as for `run` (IpsecMesh__Bucket, IpsecMesh__CaKmsKeyId, IpsecMesh__CaKeyMode=Envelope|KmsSigner,
            IpsecMesh__CaAlgorithm=EcdsaP384|Rsa4096).
            """) { Init(), Import(), Rotate(), Show() };
    }

    /// <summary>The <c>ca</c> command with its four subcommands.</summary>
    public Command Command { get; }

    private Command Init()
    {
        var ifMissing = CliOptions.Switch("--if-missing", "exit 0 without a change when a CA exists (idempotent bootstrap, e.g. docker compose)");
        var backup = CliOptions.Text("--backup", "FILE", "also write the CA key as encrypted PKCS#8 to FILE (a new file, mode 0600)");
        var passwordFile = CliOptions.Text("--backup-password-file", "FILE2", "write the backup's password to FILE2 (a new file, mode 0600)");
        var json = CliOptions.Json("one object: caId, role, subject, notBefore, notAfter, sha256Fingerprint, keyMode, algorithm, retireAt");
        var command = new Command("init", """
            create the mesh CA (refused when one exists: use `ca rotate`).
            With --backup FILE --backup-password-file FILE2 the CA key also goes to FILE as encrypted PKCS#8 and its password
            to FILE2: keep them offline, apart. Without FILE2 the password is printed once on standard error, and only when
            that is a terminal; otherwise init refuses before creating anything.
            """) { ifMissing, backup, passwordFile, json };
        command.SetAction((parsed, cancellationToken) => InitAsync(parsed.GetValue(ifMissing), parsed.GetValue(backup), parsed.GetValue(passwordFile),
            parsed.GetValue(json), cancellationToken));
        return command;
    }

    private Command Import()
    {
        var cert = new Option<string>("--cert") { Description = "the CA certificate (PEM)", HelpName = "CERT.pem", Required = true };
        var key = new Option<string>("--key") { Description = "its unencrypted private key (PEM); stored envelope-encrypted under KMS", HelpName = "KEY.pem", Required = true };
        var json = CliOptions.Json("one object describing the imported CA");
        var command = new Command("import", "bootstrap the mesh from an existing CA certificate and key (refused when a CA exists)") { cert, key, json };
        command.SetAction((parsed, cancellationToken) => ImportAsync(parsed.GetRequiredValue(cert), parsed.GetRequiredValue(key), parsed.GetValue(json), cancellationToken));
        return command;
    }

    private Command Rotate()
    {
        var kmsKey = CliOptions.Text("--kms-key", "KEY-ID", "the new asymmetric KMS key (required for a KMS-signer CA)");
        var json = CliOptions.Json("one object describing the new CA");
        var command = new Command("rotate", "introduce a new CA; hosts trust both during the overlap and are re-issued from the new one") { kmsKey, json };
        command.SetAction((parsed, cancellationToken) => WithAdministration("rotate", async admin =>
        {
            Print(await admin.RotateAsync(parsed.GetValue(kmsKey), cancellationToken), parsed.GetValue(json));
            return 0;
        }));
        return command;
    }

    private Command Show()
    {
        var json = CliOptions.Json("an array of CA objects (current first)");
        var command = new Command("show", "the CAs in the bucket (current, previous); exit 1 when there is none") { json };
        command.SetAction((parsed, cancellationToken) => WithAdministration("show", async admin =>
        {
            var all = await admin.ShowAsync(cancellationToken);
            if (parsed.GetValue(json)) JsonOutput.Write(all.Select(Describe));
            else foreach (var ca in all) PrintText(ca);
            return all.Count > 0 ? 0 : 1;
        }));
        return command;
    }

    /// <summary><c>ca init</c>: creates the CA (and the backup files, checked and created before the CA is).</summary>
    /// <returns>0 created (or, with <paramref name="ifMissing"/>, one exists); 1 refused (a CA exists).</returns>
    /// <exception cref="CliException">The backup options would leak the password or a backup file cannot be created; no CA was created.</exception>
    public async Task<int> InitAsync(bool ifMissing, string? backupFile, string? passwordFile, bool json, CancellationToken cancellationToken)
    {
        // Before the CA exists: a backup that cannot be written, or whose password would land in collected logs, stops here.
        await using var backupOutput = CaBackupOutput.Open(backupFile, passwordFile, _stderrIsTerminal(), _terminal);
        return await WithAdministration("init", async admin =>
        {
            if (ifMissing && await admin.ExistsAsync(cancellationToken))
            {
                await _terminal.WriteLineAsync("ipsec-mesh ca init: a mesh CA exists; nothing to do (--if-missing)");
                Print((await admin.ShowAsync(cancellationToken))[0], json);
                return 0;
            }
            var created = await admin.InitAsync(withBackup: backupOutput is not null, cancellationToken);
            if (created.Backup is { } backup && backupOutput is not null) await backupOutput.WriteAsync(backup, cancellationToken);
            Print(created.Ca, json);
            return 0;
        });
    }

    /// <summary><c>ca import</c>: stores an existing CA certificate and key as the mesh CA.</summary>
    /// <exception cref="CliException">A file cannot be read.</exception>
    public Task<int> ImportAsync(string certFile, string keyFile, bool json, CancellationToken cancellationToken) =>
        WithAdministration("import", async admin =>
        {
            var cert = await ReadAsync(certFile, "--cert", cancellationToken);
            var key = await ReadAsync(keyFile, "--key", cancellationToken);
            Print(await admin.ImportAsync(cert, key, cancellationToken), json);
            return 0;
        });

    private static async Task<string> ReadAsync(string path, string option, CancellationToken cancellationToken)
    {
        try { return await File.ReadAllTextAsync(path, cancellationToken); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"{option} '{path}' cannot be read: {e.Message}"); }
    }

    /// <summary>Runs <paramref name="action"/> with the CA administration of the configured bucket; a PKI refusal is exit 1.</summary>
    private async Task<int> WithAdministration(string action, Func<CaAdministration, Task<int>> run)
    {
        await using var provider = CaServices.Build(VerbSettings.Build(), l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        var admin = provider.GetRequiredService<CaAdministration>();
        try
        {
            return await run(admin);
        }
        catch (Exception e) when (e is CaStoreException or ArgumentException)
        {
            // The PKI's own one-sentence refusals (a CA exists, a subject is taken, a key does not match); they never quote a key.
            await _terminal.WriteLineAsync($"ipsec-mesh ca {action}: {e.Message}");
            return 1;
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
