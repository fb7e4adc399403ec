namespace IpsecMesh.Simulator;

public enum ApiCallOutcome
{
    Ok,
    Throttled,
    Error,
}
