namespace IpsecMesh.EndToEnd;

/// <summary>
/// The driver's command line: the work directory shared with the guest, the repository root and,
/// optionally, the libreswan the guest runs ("libreswan 5.2"), named on every scenario line.
/// </summary>
public sealed record DriverArguments(string WorkDirectory, string RepositoryDirectory, string? Libreswan = null)
{
    public static DriverArguments? Parse(IReadOnlyList<string> args)
    {
        string? workDirectory = null, repository = null, libreswan = null;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--workdir": workDirectory = args[i + 1]; break;
                case "--repo": repository = args[i + 1]; break;
                case "--libreswan": libreswan = args[i + 1]; break;
                default: return null;
            }
        }
        return workDirectory is null || repository is null ? null : new DriverArguments(workDirectory, repository, libreswan);
    }
}
