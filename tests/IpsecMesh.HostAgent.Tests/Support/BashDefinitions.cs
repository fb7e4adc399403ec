namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// What a script defines, as bash itself parses it: every function (<c>declare -f</c> prints each in
/// bash's canonical form, without comments or indentation but with every string literal as written),
/// every variable the script sets, and the shell options, umask and traps it leaves. The script is
/// sourced without its last line (the call of main), so nothing runs. Two scripts with the same
/// definitions behave alike.
/// </summary>
internal static class BashDefinitions
{
    // Variables bash sets by itself, different in every shell.
    private const string Volatile = "BASH[A-Z_]*|EPOCH[A-Z]*|S?RANDOM|SECONDS|LINENO|PPID|_|PIPESTATUS|FUNCNAME|HISTCMD|SHLVL|PWD|OLDPWD|COLUMNS|LINES";

    private const string Snapshot = $$"""
        set -e
        source <(sed '$d' "$1")
        declare -f
        declare -p | grep -Ev '^declare -[-a-zA-Z]* ({{Volatile}})='
        set -o
        shopt -p
        umask
        trap -p
        """;

    public static async Task<string> OfAsync(string script)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, script, TestContext.Current.CancellationToken);
            var result = await ProcessRunner.RunAsync("bash", ["-c", Snapshot, "definitions", file], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(result.ExitCode == 0, result.ToString());
            return result.Stdout;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
