namespace IpsecMesh.Deploy.Tests;

/// <summary>Paths of the repository's deployment files, found from the test binary upwards.</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    public static string Stack => Path.Combine(Root, "deploy", "ipsec-mesh.yaml");

    public static string TaskDefinition => Path.Combine(Root, "deploy", "task-definition.json");

    public static string CollectorConfig => Path.Combine(Root, "deploy", "otel-collector.yaml");

    public static string BrokenTemplate => Path.Combine(Root, "tests", "lint", "fixtures", "broken-template.yaml");

    public static string Dockerfile => Path.Combine(Root, "Dockerfile");

    public static string Compose => Path.Combine(Root, "docker-compose.yml");

    public static string LocalStackInit => Path.Combine(Root, "deploy", "localstack", "init-aws.sh");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ipsec-mesh.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ipsec-mesh.slnx not found above " + AppContext.BaseDirectory);
    }
}
