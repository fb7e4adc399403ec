using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>One step of a rendered document: its name, plugin (action), inputs and whether its precondition holds.</summary>
internal sealed record DocumentStep(string Name, string Action, JsonObject Inputs, bool PreconditionHolds)
{
    public static IReadOnlyList<DocumentStep> Of(JsonObject rendered) =>
        [.. (rendered["mainSteps"] as JsonArray ?? []).OfType<JsonObject>().Select(step => new DocumentStep(
            DocumentParameters.Text(step["name"]) ?? "",
            DocumentParameters.Text(step["action"]) ?? "",
            step["inputs"] as JsonObject ?? [],
            Holds(step["precondition"] as JsonObject)))];

    /// <summary>Only StringEquals of two values (platformType is Linux here), as the SSM agent evaluates it.</summary>
    private static bool Holds(JsonObject? precondition)
    {
        if (precondition is null) return true;
        foreach (var (operation, arguments) in precondition)
        {
            if (operation != "StringEquals" || arguments is not JsonArray { Count: 2 } pair) return false;
            var left = DocumentParameters.Text(pair[0]) == "platformType" ? "Linux" : DocumentParameters.Text(pair[0]);
            var right = DocumentParameters.Text(pair[1]) == "platformType" ? "Linux" : DocumentParameters.Text(pair[1]);
            if (!string.Equals(left, right, StringComparison.Ordinal)) return false;
        }
        return true;
    }
}
