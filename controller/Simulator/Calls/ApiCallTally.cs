namespace IpsecMesh.Simulator;

/// <summary>How one API's calls ended: answered, throttled, or failed with another error.</summary>
public readonly record struct ApiCallTally(long Ok, long Throttled, long Error)
{
    public long Total => Ok + Throttled + Error;
}
