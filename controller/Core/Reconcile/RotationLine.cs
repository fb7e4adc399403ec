namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// The hosts waiting for a <see cref="RotationGate"/> slot, in the order they get one: the host whose installed
/// certificate expires first, then the one that has waited longest (then by instance id). A host that has not asked
/// for <see cref="StaleAfter"/> leaves the line when met. Not thread-safe: the gate holds its lock around every call.
/// </summary>
internal sealed class RotationLine(TimeSpan staleAfter)
{
    private readonly Dictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);
    private readonly SortedSet<Place> _queue = new();

    public TimeSpan StaleAfter => staleAfter;

    private sealed class Waiter(Place place, DateTimeOffset lastAsked)
    {
        public Place Place { get; set; } = place;
        public DateTimeOffset LastAsked { get; set; } = lastAsked;
    }

    private sealed record Place(DateTimeOffset NotAfter, DateTimeOffset Since, string InstanceId) : IComparable<Place>
    {
        public int CompareTo(Place? other)
        {
            if (other is null) return 1;
            var byExpiry = NotAfter.CompareTo(other.NotAfter);
            if (byExpiry != 0) return byExpiry;
            var bySince = Since.CompareTo(other.Since);
            return bySince != 0 ? bySince : string.CompareOrdinal(InstanceId, other.InstanceId);
        }
    }

    /// <summary>Puts the asking host in line, or refreshes its place (its certificate may have changed meanwhile).</summary>
    public void Join(string instanceId, DateTimeOffset notAfter, DateTimeOffset now)
    {
        if (_waiters.TryGetValue(instanceId, out var waiter))
        {
            if (waiter.Place.NotAfter != notAfter)
            {
                _queue.Remove(waiter.Place);
                waiter.Place = waiter.Place with { NotAfter = notAfter };
                _queue.Add(waiter.Place);
            }
            waiter.LastAsked = now;
            return;
        }
        var place = new Place(notAfter, now, instanceId);
        _waiters[instanceId] = new Waiter(place, now);
        _queue.Add(place);
    }

    /// <summary>Whether the host is among the first <paramref name="count"/> waiters that still ask.</summary>
    public bool IsAmongFirst(string instanceId, int count, DateTimeOffset now)
    {
        // Walks only the head of the line: those who stopped asking leave it as they are met.
        var stale = new List<string>();
        var among = false;
        foreach (var place in _queue)
        {
            if (place.InstanceId == instanceId)
            {
                among = true;
                break;
            }
            if (now - _waiters[place.InstanceId].LastAsked > staleAfter)
            {
                stale.Add(place.InstanceId);
                continue;
            }
            if (--count == 0) break;
        }
        foreach (var id in stale) Leave(id);
        return among;
    }

    public void Leave(string instanceId)
    {
        if (_waiters.Remove(instanceId, out var waiter)) _queue.Remove(waiter.Place);
    }

    /// <summary>The waiters that still ask (the others leave now).</summary>
    public int Count(DateTimeOffset now)
    {
        foreach (var (id, waiter) in _waiters.ToList())
        {
            if (now - waiter.LastAsked > staleAfter) Leave(id);
        }
        return _waiters.Count;
    }

    public void Clear()
    {
        _waiters.Clear();
        _queue.Clear();
    }
}
