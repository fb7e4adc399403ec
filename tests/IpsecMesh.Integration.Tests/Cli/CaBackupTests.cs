using IpsecMesh.Cli;
using IpsecMesh.Pki.Authority;

namespace IpsecMesh.Integration.Tests.Cli;

/// <summary>
/// <c>ca init --backup</c> never puts the backup's password where logs are collected: with a redirected standard error
/// (an ECS task's goes to CloudWatch Logs) it needs a password file, and refuses before any CA exists.
/// </summary>
public sealed class CaBackupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipsec-mesh-backup-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Init_with_a_backup_but_no_password_file_refuses_when_stderr_is_not_a_terminal_before_touching_aws()
    {
        var stderr = new StringWriter();
        var errors = new StringWriter();
        var cli = new IpsecMeshCli(errors, new CaCommand(stderrIsTerminal: () => false, stderr));
        var keyFile = Path.Combine(_dir, "ca-key.enc.pem");

        // No AWS settings at all: had the verb gone on to create a CA it would have failed on them instead.
        var exit = await cli.RunAsync(["ca", "init", "--backup", keyFile]);

        Assert.Equal(2, exit);
        Assert.Contains("--backup-password-file", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("No CA was created", errors.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void A_password_file_that_exists_is_never_overwritten_and_the_key_file_is_not_left_behind()
    {
        var keyFile = Path.Combine(_dir, "ca-key.enc.pem");
        var passwordFile = Path.Combine(_dir, "ca-key.password");
        File.WriteAllText(passwordFile, "precious");

        var error = Assert.Throws<CliException>(() => CaBackupOutput.Open(keyFile, passwordFile, stderrIsTerminal: false, TextWriter.Null));

        Assert.Contains("never overwrites", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(passwordFile));
        Assert.False(File.Exists(keyFile));
    }

    [Fact]
    public async Task With_a_password_file_key_and_password_go_to_two_new_owner_only_files_and_nothing_is_printed()
    {
        var keyFile = Path.Combine(_dir, "ca-key.enc.pem");
        var passwordFile = Path.Combine(_dir, "ca-key.password");
        var stderr = new StringWriter();

        await using (var output = CaBackupOutput.Open(keyFile, passwordFile, stderrIsTerminal: false, stderr)!)
        {
            await output.WriteAsync(new CaBackup("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "s3cret-password"), Token);
        }

        Assert.Equal("s3cret-password\n", File.ReadAllText(passwordFile));
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", File.ReadAllText(keyFile), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-password", stderr.ToString(), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordFile));
        }
    }

    [Fact]
    public async Task On_a_terminal_without_a_password_file_the_password_is_shown_once_there()
    {
        var keyFile = Path.Combine(_dir, "ca-key.enc.pem");
        var terminal = new StringWriter();

        await using (var output = CaBackupOutput.Open(keyFile, null, stderrIsTerminal: true, terminal)!)
        {
            await output.WriteAsync(new CaBackup("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "s3cret-password"), Token);
        }

        Assert.Contains("s3cret-password", terminal.ToString(), StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(_dir));
    }

    [Fact]
    public async Task Files_made_for_a_ca_that_was_never_created_are_removed()
    {
        var keyFile = Path.Combine(_dir, "ca-key.enc.pem");
        var passwordFile = Path.Combine(_dir, "ca-key.password");

        await using (CaBackupOutput.Open(keyFile, passwordFile, stderrIsTerminal: false, TextWriter.Null))
        {
            // ca init failed here (a CA existed, KMS refused): nothing is written.
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
