namespace IpsecMesh.Cli;

public static class CommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("ipsec-mesh: not yet wired");
        return Task.FromResult(args.Length == 0 ? 0 : 2);
    }
}
