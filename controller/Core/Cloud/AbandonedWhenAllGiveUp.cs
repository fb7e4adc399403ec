namespace IpsecMesh.Core.Cloud;

/// <summary>A token cancelled with <c>stopping</c>, or once every one of <c>submitters</c> is (never while one cannot be).</summary>
internal sealed class AbandonedWhenAllGiveUp : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private int _left;

    public AbandonedWhenAllGiveUp(IReadOnlyList<CancellationToken> submitters, CancellationToken stopping)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        if (submitters.Any(t => !t.CanBeCanceled)) return;
        _left = submitters.Count;
        foreach (var token in submitters) _registrations.Add(token.Register(GaveUp));
    }

    public CancellationToken Token => _source.Token;

    private void GaveUp()
    {
        if (Interlocked.Decrement(ref _left) == 0) _source.Cancel();
    }

    public void Dispose()
    {
        // Unregistering waits for a callback already running, so none touches the disposed source.
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
