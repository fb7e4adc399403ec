using System.Collections.Concurrent;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Tests.Cloud;
using IpsecMesh.Pki;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Reconcile;

public class RevocationQueueTests
{
    /// <summary>A registry that records each batch it is asked to revoke and revokes one made-up certificate per request.</summary>
    private sealed class RecordingRegistry : IIssuanceRegistry
    {
        public ConcurrentQueue<RevocationRequest[]> Batches { get; } = new();

        public Task<IReadOnlyDictionary<RevocationRequest, IReadOnlyList<IssuedCertificate>>> RevokeBatchAsync(
            IReadOnlyCollection<RevocationRequest> requests, CancellationToken cancellationToken)
        {
            Batches.Enqueue([.. requests]);
            IReadOnlyDictionary<RevocationRequest, IReadOnlyList<IssuedCertificate>> result = requests.ToDictionary(
                request => request, request => (IReadOnlyList<IssuedCertificate>)[Certificate(request.InstanceId, "0badf00d", "41")]);
            return Task.FromResult(result);
        }

        public Task<IReadOnlyDictionary<string, IssuedCertificate>> LoadCurrentAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> GetCertificatePemAsync(IssuedCertificate certificate, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RecordAsync(IssuedCertificate certificate, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RevokeAsync(IReadOnlyCollection<string> instanceIds, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<IssuedCertificate>> RevokeSupersededAsync(IssuedCertificate newest, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RefreshCrlsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<PublishedCrl>> GetCrlsAsync(IReadOnlyList<string> caIds, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<IssuedCertificate>> RevokeIssuedByAsync(IReadOnlyCollection<string> caIds, string why, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<RevokedPeer>> RecentRevocationsAsync(TimeSpan window, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Opt_outs_terminations_and_superseded_certificates_of_one_window_go_to_the_registry_in_one_call()
    {
        var registry = new RecordingRegistry();
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(100);
        await using var queue = new RevocationQueue(registry, time, window);
        var newest = Certificate("i-0ccc", "12345678", "42");

        var superseded = queue.RevokeSupersededAsync(newest, CancellationToken.None);
        var all = Task.WhenAll(
            queue.RevokeAsync("i-0aaa", "opted out", CancellationToken.None),
            queue.RevokeAsync("i-0bbb", "instance terminated", CancellationToken.None),
            superseded);
        await FakeClockWindows.AdvanceUntilAsync(time, window, () => all.IsCompleted);
        await all;

        var batch = Assert.Single(registry.Batches);
        Assert.Equal(3, batch.Length);
        Assert.Contains(RevocationRequest.Superseded(newest), batch);
        Assert.Contains(RevocationRequest.AllOf("i-0aaa", "opted out"), batch);
        Assert.Equal("41", Assert.Single(await superseded).SerialHex);
    }

    private static IssuedCertificate Certificate(string instanceId, string namesHash, string serial) =>
        new(instanceId, serial, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(30), namesHash, "0123456789abcdef", string.Empty);
}
