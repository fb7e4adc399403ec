namespace IpsecMesh.Simulator.Faults;

/// <summary>The simulator's one source of non-cryptographic randomness (ids, faults), seeded and thread-safe.</summary>
internal sealed class SeededRandom(int seed)
{
    private readonly Random _random = new(seed);
    private readonly Lock _sync = new();

    public bool Chance(double probability)
    {
        if (probability <= 0) return false;
        lock (_sync) return _random.NextDouble() < probability;
    }

    public int Next(int maxExclusive)
    {
        lock (_sync) return _random.Next(maxExclusive);
    }

    public string Hex(int length)
    {
        var bytes = new byte[(length + 1) / 2];
        lock (_sync) _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    public Guid Guid()
    {
        var bytes = new byte[16];
        lock (_sync) _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
