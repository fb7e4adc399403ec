namespace IpsecMesh.Simulator;

/// <summary>How a command ended on the instance: exit code and the full (untruncated) output.</summary>
public sealed record CommandOutcome(int ExitCode, string Stdout, string Stderr);
