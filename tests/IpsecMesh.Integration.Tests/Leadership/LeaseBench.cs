using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Leadership;
using IpsecMesh.Core.Options;
using IpsecMesh.Pki.Storage;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Throttling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Integration.Tests.Leadership;

/// <summary>Replicas of the lease election over the simulator's S3, on a fake clock the test advances by hand.</summary>
public sealed class LeaseBench : IAsyncDisposable
{
    public static readonly LeaderElectionOptions Settings = new() { Enabled = true };

    private readonly List<S3LeaseLeadership> _replicas = [];

    public LeaseBench()
    {
        Aws = new SimulatedAws(SimulatorOptions.Default with { Throttle = ThrottleProfile.None }, Time);
        Store = new S3ObjectStore(SimulatedClients.Create<Amazon.S3.IAmazonS3>(Aws), Aws.BucketName);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public SimulatedAws Aws { get; }
    public IObjectStore Store { get; }

    public S3LeaseLeadership Replica(IObjectStore? store = null)
    {
        var replica = new S3LeaseLeadership(store ?? Store, new IpsecMeshOptions { LeaderElection = Settings }, Time, NullLogger<S3LeaseLeadership>.Instance);
        _replicas.Add(replica);
        return replica;
    }

    public async Task<StoredObject> LeaseAsync() =>
        await Store.GetAsync(Settings.LeaseKey, CancellationToken.None) ?? throw new InvalidOperationException("no lease object");

    /// <summary>Advances the clock by one retry period and lets each given replica make its attempt.</summary>
    public async Task RetryAsync(params S3LeaseLeadership[] replicas)
    {
        Time.Advance(Settings.RetryPeriod);
        foreach (var replica in replicas) await replica.TickAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas) replica.Dispose();
        await Aws.DisposeAsync();
    }
}
