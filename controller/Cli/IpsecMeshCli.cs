using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;

namespace IpsecMesh.Cli;

/// <summary>
/// The <c>ipsec-mesh</c> command line on System.CommandLine: the verbs, generated help, and the exit codes the scripts rely on.
/// Exit codes: 0 success; 1 the verb's own "no" (invalid policy, unhealthy, a CA refusal, an AWS error); 2 a usage error
/// (unknown verb or option, a value out of range, a missing argument) or invalid settings; 3 the agent document check
/// failed; 130/143 stopped by SIGINT/SIGTERM. No verb ends in an unhandled exception.
/// </summary>
public sealed class IpsecMeshCli
{
    private readonly TextWriter _error;

    /// <summary>The command line on this process's standard error, with the verbs as shipped.</summary>
    public IpsecMeshCli()
        : this(Console.Error, new CaCommand())
    {
    }

    /// <param name="error">Where usage errors and failures are reported (standard error).</param>
    /// <param name="ca">The <c>ca</c> verb (its terminal detection can be replaced in tests).</param>
    public IpsecMeshCli(TextWriter error, CaCommand ca)
    {
        _error = error;
        // A named root rather than RootCommand (named after the process): help reads "ipsec-mesh" under dotnet and test hosts too.
        Root = new Command("ipsec-mesh", "ipsec-mesh: the IPsec mesh controller for EC2")
        {
            new HelpOption(),
            new VersionOption(),
            RunCommand.Create(),
            SimulateCommand.Create(),
            StatusCommand.Create(),
            ca.Command,
            ConfigCommand.Create(),
            AgentCommand.Create(),
            HealthcheckCommand.Create(),
        };
    }

    /// <summary>The root command (every verb is one of its subcommands).</summary>
    public Command Root { get; }

    /// <summary>Parses without running anything; response files (<c>@file</c>) are not expanded.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) =>
        Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    /// <summary>Parses and runs one verb; the first SIGINT or SIGTERM cancels it.</summary>
    /// <returns>The exit code (see the class summary).</returns>
    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            // No verb: the overview, as a usage error.
            await Parse(["--help"]).InvokeAsync();
            return 2;
        }
        if (args is ["help"]) args = ["--help"];
        ParseResult parsed;
        try
        {
            parsed = Parse(args);
        }
        catch (InvalidOperationException e)
        {
            // A validator that read a value which had failed to parse: still a usage error, never a crash.
            await _error.WriteLineAsync($"ipsec-mesh: {e.Message}");
            return 2;
        }
        var verb = VerbName(parsed);
        if (parsed.Action is HelpAction) return await parsed.InvokeAsync();
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await _error.WriteLineAsync($"ipsec-mesh{verb}: {error.Message}");
            await _error.WriteLineAsync($"see: ipsec-mesh{verb} --help");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        PosixSignal? received = null;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            received ??= context.Signal;
            cancel.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancel.Token);
        }
        catch (CliException e)
        {
            await _error.WriteLineAsync($"ipsec-mesh{verb}: {e.Message}");
            await _error.WriteLineAsync($"see: ipsec-mesh{verb} --help");
            return 2;
        }
        catch (SettingsException e)
        {
            await _error.WriteLineAsync($"ipsec-mesh{verb}: {e.Message}");
            return 2;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // The options pattern's own start-up validation (ValidateOnStart): invalid settings too.
            await _error.WriteLineAsync($"ipsec-mesh{verb}: invalid settings:\n  {string.Join("\n  ", e.Failures)}");
            return 2;
        }
        catch (AgentDocumentException e)
        {
            await _error.WriteLineAsync($"ipsec-mesh{verb}: {e.Message}");
            return 3;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return received == PosixSignal.SIGTERM ? 143 : 130;
        }
        catch (Exception e)
        {
            // An AWS error, an unreadable file, a bug: one sentence and exit 1, never a crash with a core dump.
            await _error.WriteLineAsync($"ipsec-mesh{verb}: failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>" ca init" for <c>ipsec-mesh ca init …</c>; "" at the root.</summary>
    private static string VerbName(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return names.Count == 0 ? "" : " " + string.Join(' ', names);
    }
}
