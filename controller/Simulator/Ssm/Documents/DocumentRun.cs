using System.Text.Json.Nodes;
using IpsecMesh.Simulator.Ssm;

namespace IpsecMesh.Simulator;

/// <summary>
/// A Command document prepared for one instance as SSM and its agent prepare it, without running the
/// shell step: parameters checked and filled in, each download step whose precondition holds done
/// (from <paramref name="readObject"/>: bucket, key → bytes), and the one aws:runShellScript step's
/// lines. Tests that run the agent on a real host outside the simulator start from here.
/// </summary>
public static class DocumentRun
{
    public static ShellScriptRun Prepare(JsonObject document, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters,
        Func<string, string, byte[]?> readObject, string instanceId = "i-0123456789abcdef0")
    {
        var steps = DocumentStep.Of(DocumentRendering.Render(document, DocumentParameters.Resolve(document, parameters)));
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var step in steps.Where(s => s.PreconditionHolds && s.Action == "aws:downloadContent"))
        {
            var (status, _, _, error) = DocumentDownload.Run(step, instanceId, "00000000-0000-0000-0000-000000000000", files, readObject);
            if (status != CommandStatus.Success) throw new InvalidOperationException($"step {step.Name}: {error.Trim()}");
        }
        var run = steps.Single(s => s.Action == "aws:runShellScript");
        return new ShellScriptRun([.. (run.Inputs["runCommand"] as JsonArray ?? []).Select(l => DocumentParameters.Text(l) ?? "")], files);
    }
}
