namespace IpsecMesh.Cli;

/// <summary>A usage error found while a verb runs: printed with a pointer to the verb's --help, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
