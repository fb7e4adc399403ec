namespace IpsecMesh.Cli;

/// <summary>One verb of the <c>ipsec-mesh</c> command line.</summary>
public interface ICliVerb
{
    string Name { get; }
    string Summary { get; }
    string Usage { get; }
    IReadOnlySet<string> Switches { get; }
    Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken);
}
