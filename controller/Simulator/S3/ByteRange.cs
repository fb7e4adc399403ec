using System.Globalization;

namespace IpsecMesh.Simulator.S3;

/// <summary>One HTTP byte range of an object (<c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>), as S3 answers it with 206.</summary>
internal readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>
    /// Null when the header is not one range S3 understands (S3 then sends the whole object); a range beyond the object
    /// is 416 InvalidRange.
    /// </summary>
    public static ByteRange? Parse(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal)) return null;
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return null;
        var (from, to) = (spec[..dash], spec[(dash + 1)..]);
        if (from.Length == 0)
        {
            if (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return null;
            if (suffix == 0 || size == 0) throw Unsatisfiable(size);
            return new ByteRange(Math.Max(0, size - suffix), size - 1);
        }
        if (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return null;
        var last = size - 1;
        if (to.Length > 0)
        {
            if (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out last)) return null;
            if (last < first) return null;
        }
        if (first >= size) throw Unsatisfiable(size);
        return new ByteRange(first, Math.Min(last, size - 1));
    }

    private static AwsServiceException Unsatisfiable(long size) =>
        new(416, "InvalidRange", $"The requested range is not satisfiable (the object is {size} bytes)");
}
