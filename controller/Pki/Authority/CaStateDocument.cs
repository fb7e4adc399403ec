namespace IpsecMesh.Pki.Authority;

/// <summary><c>ca/state.json</c>: which CA signs, and which older CAs hosts still trust until when.</summary>
public sealed record CaStateDocument(string Current, IReadOnlyList<RetiringCa> Previous)
{
    public IEnumerable<string> TrustedAt(DateTimeOffset now) =>
        new[] { Current }.Concat(Previous.Where(ca => ca.TrustedAt(now)).Select(ca => ca.CaId));
}
