using Microsoft.Extensions.Configuration;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// The settings of the verbs that run outside the controller host (<c>ca</c>, <c>status</c>, <c>config validate --vpc</c>,
/// <c>simulate --serve</c>'s mesh CA): appsettings.json beside the binary, then the environment (<c>IpsecMesh__Key</c>),
/// then <paramref name="overrides"/>.
/// </summary>
public static class VerbSettings
{
    public static IConfiguration Build(IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
}
