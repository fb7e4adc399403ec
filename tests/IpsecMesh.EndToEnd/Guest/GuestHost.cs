namespace IpsecMesh.EndToEnd.Guest;

/// <summary>One libreswan host inside the UML guest: its network namespace name and address.</summary>
public sealed record GuestHost(string Name, string Address)
{
    /// <summary>Reads the work directory's hosts file: one "name address" per line.</summary>
    public static IReadOnlyList<GuestHost> Load(string hostsFile) =>
        File.ReadAllLines(hostsFile)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 2)
            .Select(fields => new GuestHost(fields[0], fields[1]))
            .ToArray();
}
