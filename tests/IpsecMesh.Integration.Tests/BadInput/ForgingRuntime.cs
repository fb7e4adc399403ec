using System.Text.Json.Nodes;
using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.BadInput;

/// <summary>
/// A virtual host that answers every <c>csr</c> verb with a forged request instead of its own. With
/// <paramref name="reinitialiseOnInstall"/>, an <c>install</c> + <c>csr</c> also claims its install re-created the NSS
/// database and drops the CSR, so the controller asks for one alone.
/// </summary>
public sealed class ForgingRuntime(VirtualHost host, Func<byte[]> forge, bool reinitialiseOnInstall = false) : IInstanceRuntime
{
    public VirtualHost Host => host;

    public async Task<CommandOutcome> ExecuteAsync(CommandContext context, ShellScriptRun run, CancellationToken cancellationToken)
    {
        var outcome = await host.ExecuteAsync(context, run, cancellationToken);
        var withInstall = reinitialiseOnInstall && outcome.Stdout.Contains("\"verb\":\"install\"", StringComparison.Ordinal);
        var lines = outcome.Stdout.Split('\n').Select(line =>
        {
            if (!line.StartsWith("{\"ipsecMesh\":1,", StringComparison.Ordinal)) return line;
            var result = JsonNode.Parse(line)!.AsObject();
            if (withInstall && (string?)result["verb"] == "install")
            {
                result["nssReinitialised"] = true;
                return result.ToJsonString();
            }
            if ((string?)result["verb"] != "csr" || result["csr"] is null) return line;
            if (withInstall) return null;
            result["csr"] = Convert.ToBase64String(forge());
            return result.ToJsonString();
        }).OfType<string>();
        return outcome with { Stdout = string.Join('\n', lines) };
    }
}
