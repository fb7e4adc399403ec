namespace IpsecMesh.Core.Queue;

/// <summary>
/// The per-key retry backoff, owned by the <see cref="WorkQueue{TKey}"/> alone: a periodic resync or an event may hand
/// a key out before its backoff is over, and whoever decides for the key reads here whether a retry is due.
/// </summary>
public interface IRetryBackoff<in TKey>
{
    /// <summary>When the key's last rate-limited retry falls due (UTC); null when it has none since its last <c>Forget</c>.</summary>
    DateTimeOffset? RetryAt(TKey key);
}
