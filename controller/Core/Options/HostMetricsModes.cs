namespace IpsecMesh.Core.Options;

/// <summary>Values of <see cref="IpsecMeshOptions.HostMetrics"/>: how host IPsec health is exported.</summary>
public static class HostMetricsModes
{
    /// <summary>One series per enabled host per host metric, with the <c>instance.id</c> attribute.</summary>
    public const string PerInstance = "per-instance";

    /// <summary>Fleet-wide sums without <c>instance.id</c>: a fixed number of series whatever the fleet size.</summary>
    public const string Aggregated = "aggregated";
}
