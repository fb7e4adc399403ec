namespace IpsecMesh.Core.Sources;

/// <summary>The outcome of parsing one SQS message body: an event, or the reason it is not one.</summary>
public sealed record EventParseResult(InstanceEvent? Event, string? Error)
{
    public static EventParseResult Ok(InstanceEvent e) => new(e, null);

    public static EventParseResult Invalid(string error) => new(null, error);
}
