using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Sources;

/// <summary>The outcome of parsing one SQS message body: an instance event, a Run Command status change, or the reason it is neither.</summary>
public sealed record EventParseResult(InstanceEvent? Event, string? Error, CommandEvent? Command = null)
{
    public static EventParseResult Ok(InstanceEvent e) => new(e, null);

    public static EventParseResult Ok(CommandEvent e) => new(null, null, e);

    public static EventParseResult Invalid(string error) => new(null, error);
}
