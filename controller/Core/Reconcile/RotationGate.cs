using IpsecMesh.Core.Options;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Keeps certificate replacements from overlapping: at most <see cref="IpsecMeshOptions.RotationConcurrency"/>
/// installs that replace a host's certificate run at once in the fleet, each counted from before
/// its send until its command finished plus <see cref="IpsecMeshOptions.RotationSettle"/>. On
/// libreswan 4.x a rotation switches the host's conns, and a peer switching at the same moment can
/// delete the negotiation the host started, leaving the pair dark until a failure shunt expires.
/// A reconcile asks before it sends (and before it signs or issues); one that may not waits and
/// asks again. Slots go in order, not to whoever asks first after one frees: the host whose installed
/// certificate expires first, then the one that has waited longest. Otherwise a host that asks often
/// (a fresh certificate due again under a short RenewAfter, a quick agent) can take every slot while
/// another waits on. A waiter that stops asking (its reconcile moved on) loses its place after
/// <see cref="StaleAfter"/>. Leader-local and in memory: a new leader starts empty and counts the install
/// commands it recovers from SSM until they finish. A slot whose command was never seen to finish
/// is dropped after the command timeout.
/// </summary>
public sealed class RotationGate(IpsecMeshOptions options, TimeProvider time)
{
    private static readonly TimeSpan MinimumRetry = TimeSpan.FromMilliseconds(200);
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly RotationLine _line = new(options.CommandPollInterval * 2 + TimeSpan.FromSeconds(30));

    /// <summary>How long a refused host keeps its place without asking again: it is told to ask within <c>CommandPollInterval</c>.</summary>
    public TimeSpan StaleAfter => _line.StaleAfter;

    private sealed class Slot(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; set; } = since;
        public DateTimeOffset? FinishedAt { get; set; }
    }

    /// <summary>Hosts waiting for a slot now (asked within <see cref="StaleAfter"/>).</summary>
    public int Waiting
    {
        get
        {
            lock (_sync) return _line.Count(time.GetUtcNow());
        }
    }

    /// <summary>Slots held now (commands in flight or settling).</summary>
    public int Held
    {
        get
        {
            lock (_sync)
            {
                Expire(time.GetUtcNow());
                return _slots.Count;
            }
        }
    }

    /// <summary>
    /// Takes a slot for a replacing install to <paramref name="instanceId"/> (an instance that
    /// holds one already keeps it) when one is free and no waiter comes before it, or says after
    /// how long to ask again. <paramref name="installedNotAfter"/> is the notAfter of the
    /// certificate the host runs now: the sooner it expires, the earlier the host's turn.
    /// </summary>
    public bool TryEnter(string instanceId, DateTimeOffset installedNotAfter, out TimeSpan retryAfter)
    {
        lock (_sync)
        {
            var now = time.GetUtcNow();
            Expire(now);
            retryAfter = TimeSpan.Zero;
            if (_slots.TryGetValue(instanceId, out var own))
            {
                own.Since = now;
                own.FinishedAt = null;
                return true;
            }
            _line.Join(instanceId, installedNotAfter, now);
            var free = options.RotationConcurrency - _slots.Count;
            if (free > 0 && _line.IsAmongFirst(instanceId, free, now))
            {
                _line.Leave(instanceId);
                _slots[instanceId] = new Slot(now);
                return true;
            }
            if (free > 0)
            {
                retryAfter = options.CommandPollInterval;
                return false;
            }
            var settling = _slots.Values.Where(s => s.FinishedAt is not null).Select(s => s.FinishedAt!.Value + options.RotationSettle - now).ToList();
            var wait = settling.Count > 0 ? settling.Min() : options.CommandPollInterval;
            retryAfter = wait < MinimumRetry ? MinimumRetry : wait > options.CommandPollInterval ? options.CommandPollInterval : wait;
            return false;
        }
    }

    /// <summary>The instance's install command finished (whatever its outcome): its slot frees after the settle time.</summary>
    public void Finished(string instanceId)
    {
        lock (_sync)
        {
            if (_slots.TryGetValue(instanceId, out var slot) && slot.FinishedAt is null) slot.FinishedAt = time.GetUtcNow();
        }
    }

    /// <summary>Nothing was sent after all (the send failed, the CSR was refused, the instance is gone): the slot frees now, and the host leaves the line.</summary>
    public void Abandon(string instanceId)
    {
        lock (_sync)
        {
            _slots.Remove(instanceId);
            _line.Leave(instanceId);
        }
    }

    /// <summary>A certificate install a previous leader sent and that may still run holds a slot from its send.</summary>
    public void Recover(string instanceId, DateTimeOffset sentAt)
    {
        lock (_sync) _slots.TryAdd(instanceId, new Slot(sentAt));
    }

    /// <summary>Forgets every slot: a replica that (re)gains leadership starts from what SSM says.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _slots.Clear();
            _line.Clear();
        }
    }

    private void Expire(DateTimeOffset now)
    {
        var lost = options.CommandTimeout + options.RotationSettle + TimeSpan.FromMinutes(1);
        foreach (var (id, slot) in _slots.ToList())
        {
            if (slot.FinishedAt is { } finished ? finished + options.RotationSettle <= now : slot.Since + lost <= now)
                _slots.Remove(id);
        }
    }
}
