using System.Runtime.InteropServices;
using IpsecMesh.Core.Hosting;

namespace IpsecMesh.Cli;

/// <summary>The <c>ipsec-mesh</c> entry point: picks the verb, handles --help, usage errors and settings errors.</summary>
public static class CommandLine
{
    private static readonly ICliVerb[] Verbs =
    [
        new RunVerb(), new SimulateVerb(), new StatusVerb(), new CaVerb(), new ConfigVerb(), new AgentVerb(), new HealthcheckVerb(),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintOverview();
            return args.Length == 0 ? 2 : 0;
        }
        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            Console.Error.WriteLine($"ipsec-mesh: unknown verb '{args[0]}'");
            PrintOverview();
            return 2;
        }
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(verb.Usage);
            return 0;
        }
        // The first SIGINT or SIGTERM cancels the verb, which then stops on its own (simulate --serve saves its state and exits 0).
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
            var parsed = new CliArgs(args.Skip(1), verb.Switches);
            return await verb.RunAsync(parsed, cancel.Token);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"ipsec-mesh {verb.Name}: {e.Message}");
            Console.Error.WriteLine(verb.Usage);
            return 2;
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"ipsec-mesh {verb.Name}: {e.Message}");
            return 2;
        }
        catch (AgentDocumentException e)
        {
            Console.Error.WriteLine($"ipsec-mesh {verb.Name}: {e.Message}");
            return 3;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return received == PosixSignal.SIGTERM ? 143 : 130;
        }
    }

    private static void PrintOverview()
    {
        Console.WriteLine("ipsec-mesh: the IPsec mesh controller for EC2\n\nusage: ipsec-mesh <verb> [options]   (every verb takes --help)\n");
        foreach (var verb in Verbs) Console.WriteLine($"  {verb.Name,-12} {verb.Summary}");
    }
}
