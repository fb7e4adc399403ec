using Microsoft.Extensions.Configuration;

namespace IpsecMesh.Cli;

/// <summary>Settings for the verbs that talk to AWS: appsettings.json beside the binary, then the environment (IpsecMesh__Key), then overrides.</summary>
public static class CliConfiguration
{
    public static IConfiguration Build(IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
}
