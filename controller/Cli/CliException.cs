namespace IpsecMesh.Cli;

/// <summary>A usage error: printed with the verb's usage, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
