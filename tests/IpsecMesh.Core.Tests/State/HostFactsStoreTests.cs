using System.Text;
using IpsecMesh.Core.State;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace IpsecMesh.Core.Tests.State;

/// <summary>What the controller confirmed on hosts survives a restart or a hand-over, and nobody else's copy is believed.</summary>
public class HostFactsStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Expiry = DateTimeOffset.Parse("2026-12-08T10:41:37Z");

    private readonly InMemoryObjectStore _objects = new();

    private async Task<HostFactsStore> NewStoreAsync()
    {
        var key = new StateSealKey(_objects);
        await key.LoadAsync(Ct);
        var store = new HostFactsStore(_objects, key, NullLogger<HostFactsStore>.Instance);
        await store.LoadAsync(Ct);
        return store;
    }

    [Fact]
    public async Task Facts_written_by_one_leader_are_read_by_the_next()
    {
        using var first = await NewStoreAsync();
        first.Apply("i-1", new HostFactsChange("cfg-a", Expiry));
        first.Apply("i-2", new HostFactsChange("cfg-a"));
        first.Apply("i-2", new HostFactsChange(ForgetConfig: true));
        first.Apply("i-3", new HostFactsChange("cfg-b"));
        first.Forget("i-3");
        await first.FlushAsync(Ct);

        using var next = await NewStoreAsync();
        Assert.Equal(new HostFacts("cfg-a", Expiry), next.Get("i-1"));
        Assert.Equal(HostFacts.None, next.Get("i-2"));
        Assert.Equal(HostFacts.None, next.Get("i-3"));
        Assert.Equal(1, next.Count);
    }

    [Fact]
    public async Task A_copy_someone_else_wrote_is_ignored()
    {
        using var first = await NewStoreAsync();
        first.Apply("i-1", new HostFactsChange("cfg-a", Expiry));
        await first.FlushAsync(Ct);
        var stored = await _objects.GetAsync(HostFactsStore.ObjectKey, Ct);
        var forged = Encoding.UTF8.GetString(stored!.Content).Replace("cfg-a", "cfg-z", StringComparison.Ordinal);
        await _objects.PutAsync(HostFactsStore.ObjectKey, Encoding.UTF8.GetBytes(forged), Ct);

        using var next = await NewStoreAsync();
        Assert.Equal(HostFacts.None, next.Get("i-1"));
    }

    [Fact]
    public async Task Two_leaders_writing_in_turn_keep_each_others_facts()
    {
        using var old = await NewStoreAsync();
        old.Apply("i-1", new HostFactsChange("cfg-a"));
        await old.FlushAsync(Ct);
        using var successor = await NewStoreAsync();
        successor.Apply("i-2", new HostFactsChange("cfg-b"));
        await successor.FlushAsync(Ct);
        // The old leader's last write, after the successor's: conditional, so it merges instead of overwriting.
        old.Apply("i-1", new HostFactsChange("cfg-c"));
        await old.FlushAsync(Ct);

        using var reader = await NewStoreAsync();
        Assert.Equal("cfg-c", reader.Get("i-1").ConfigHash);
        Assert.Equal("cfg-b", reader.Get("i-2").ConfigHash);
    }

    [Fact]
    public void The_expiry_tag_is_the_minute_rounded_down()
    {
        Assert.Equal("2026-12-08T10:41:00Z", HostFacts.ExpiryTag(Expiry));
        Assert.Equal("2026-12-08T10:41:00Z", HostFacts.ExpiryTag(Expiry.ToOffset(TimeSpan.FromHours(2))));
    }
}
