using System.Text.Json.Nodes;
using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.BadInput;

/// <summary>A virtual host that answers every <c>csr</c> verb with a forged request instead of its own.</summary>
public sealed class ForgingRuntime(VirtualHost host, Func<byte[]> forge) : IInstanceRuntime
{
    public VirtualHost Host => host;

    public async Task<CommandOutcome> ExecuteAsync(CommandContext context, ShellScriptRun run, CancellationToken cancellationToken)
    {
        var outcome = await host.ExecuteAsync(context, run, cancellationToken);
        var lines = outcome.Stdout.Split('\n').Select(line =>
        {
            if (!line.StartsWith("{\"ipsecMesh\":1,", StringComparison.Ordinal)) return line;
            var result = JsonNode.Parse(line)!.AsObject();
            if ((string?)result["verb"] != "csr" || result["csr"] is null) return line;
            result["csr"] = Convert.ToBase64String(forge());
            return result.ToJsonString();
        });
        return outcome with { Stdout = string.Join('\n', lines) };
    }
}
