namespace IpsecMesh.Simulator;

/// <summary>What a virtual host has installed, for tests and `--export`.</summary>
public sealed record VirtualHostState
{
    public bool Installed { get; init; }
    public bool Running { get; init; }
    public string? ConfigHash { get; init; }
    public string? CertSerial { get; init; }
    public DateTimeOffset? CertNotAfter { get; init; }
    /// <summary>The installed host certificate (PEM), if any.</summary>
    public string? CertificatePem { get; init; }
    public string? CaBundlePem { get; init; }
    /// <summary>The CRLs loaded with the config (DER), by CA id.</summary>
    public IReadOnlyDictionary<string, byte[]> Crls { get; init; } = new Dictionary<string, byte[]>();
    public bool HasPendingKey { get; init; }
    /// <summary>Verbs run so far, successful or not, by name.</summary>
    public IReadOnlyDictionary<string, int> VerbCounts { get; init; } = new Dictionary<string, int>();
    public int CommandsRun { get; init; }
    /// <summary>A CA left the bundle while it ran: it still trusts it (the agent's caRemovalPending).</summary>
    public bool CaRemovalPending { get; init; }
    /// <summary>Every address whose SAs a new CRL made it delete (the agent's cutPeers), in order.</summary>
    public IReadOnlyList<string> CutPeers { get; init; } = [];
    /// <summary>The peers file (its addresses) of the last run of each verb that loads conns; empty when it carried none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> LastPeers { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>
    /// Every trust bundle the host took whose CAs differ from the one before, in order: what a test checks the order of a CA
    /// rotation's steps against on each host, instead of sampling the host's state in between.
    /// </summary>
    public IReadOnlyList<BundleChange> Bundles { get; init; } = [];
}

/// <summary>A trust bundle a host took: its CAs' ids, and the CRLs (DER, by CA id) the host held before the command that brought it.</summary>
public sealed record BundleChange(IReadOnlySet<string> CaIds, IReadOnlyDictionary<string, byte[]> CrlsHeldBefore);
