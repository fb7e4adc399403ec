using System.Text;
using IpsecMesh.Pki.Authority;

namespace IpsecMesh.Cli;

/// <summary>
/// Where <c>ca init --backup</c> puts the encrypted CA key and its password. Both files are created (mode 0600, never
/// over an existing file) before the CA is, so a path that cannot be written stops <c>ca init</c> before anything
/// exists. The password goes to the password file; it is printed only when no password file was given and standard
/// error is a terminal: a redirected standard error may be collected (the ECS task ships it to CloudWatch Logs).
/// </summary>
public sealed class CaBackupOutput : IAsyncDisposable
{
    private readonly string _keyPath;
    private readonly FileStream _key;
    private readonly string? _passwordPath;
    private readonly FileStream? _password;
    private readonly TextWriter _terminal;
    private bool _written;

    private CaBackupOutput(string keyPath, FileStream key, string? passwordPath, FileStream? password, TextWriter terminal)
    {
        _keyPath = keyPath;
        _key = key;
        _passwordPath = passwordPath;
        _password = password;
        _terminal = terminal;
    }

    /// <summary>Checks the options and creates the (empty) files; null when no backup was asked for.</summary>
    /// <param name="stderrIsTerminal">Whether standard error is a terminal (<c>!Console.IsErrorRedirected</c>).</param>
    /// <param name="terminal">Standard error, where the password may be shown.</param>
    /// <exception cref="CliException">The options do not allow a backup that keeps the password out of collected logs, or a file exists or cannot be created.</exception>
    public static CaBackupOutput? Open(string? keyPath, string? passwordPath, bool stderrIsTerminal, TextWriter terminal)
    {
        if (keyPath is null)
        {
            return passwordPath is null ? null : throw new CliException("--backup-password-file goes with --backup FILE");
        }

        if (passwordPath is null && !stderrIsTerminal)
        {
            throw new CliException("--backup without --backup-password-file would print the backup's password on standard error, which is not a terminal here " +
                "(it may be collected, e.g. into CloudWatch Logs); give --backup-password-file FILE too. No CA was created");
        }

        if (passwordPath is not null && Path.GetFullPath(passwordPath) == Path.GetFullPath(keyPath))
        {
            throw new CliException("--backup and --backup-password-file must name two files (keep them apart). No CA was created");
        }

        var key = Create(keyPath);
        try
        {
            return new CaBackupOutput(keyPath, key, passwordPath, passwordPath is null ? null : Create(passwordPath), terminal);
        }
        catch
        {
            key.Dispose();
            File.Delete(keyPath);
            throw;
        }
    }

    /// <summary>Writes the encrypted key, and the password to its file or (only when allowed) the terminal.</summary>
    public async Task WriteAsync(CaBackup backup, CancellationToken cancellationToken)
    {
        await _key.WriteAsync(Encoding.ASCII.GetBytes(backup.EncryptedPrivateKeyPem), cancellationToken);
        await _key.FlushAsync(cancellationToken);
        if (_password is not null)
        {
            await _password.WriteAsync(Encoding.UTF8.GetBytes(backup.Password + "\n"), cancellationToken);
            await _password.FlushAsync(cancellationToken);
            await _terminal.WriteLineAsync($"CA key backup written to {_keyPath}, its password to {_passwordPath}: keep them apart, offline.");
        }
        else
        {
            // Only reached when standard error is a terminal: the operator sees the password once; nothing stores it.
            await _terminal.WriteLineAsync($"CA key backup written to {_keyPath}. Its password, shown only now:\n  {backup.Password}");
        }

        _written = true;
    }

    /// <summary>Closes the files; removes them when nothing was written (the CA was not created).</summary>
    public async ValueTask DisposeAsync()
    {
        await _key.DisposeAsync();
        if (_password is not null) await _password.DisposeAsync();
        if (_written) return;
        File.Delete(_keyPath);
        if (_passwordPath is not null) File.Delete(_passwordPath);
    }

    private static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            return new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new CliException($"'{path}' exists; a backup never overwrites a file. No CA was created");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot create '{path}': {e.Message}. No CA was created");
        }
    }
}
