using System.Net;
using System.Net.Sockets;
using System.Text;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Simulator.Hosts;

/// <summary>
/// The agent's check of a request's <c>peers</c> file (modules/peers.sh): one IPv4 or IPv6 address
/// a line, blank lines ignored, at most 1,000; anything else is refused <c>bad_request</c> before
/// the verb changes anything.
/// </summary>
internal static class PeersInput
{
    public const string File = "peers";
    public const int Max = 1000;

    /// <summary>Null when the request carries no peers file or a good one (then in <paramref name="peers"/>); else the failure.</summary>
    public static VerbResult? Check(AgentRequest request, out IReadOnlyList<string> peers)
    {
        peers = [];
        if (!request.Files.TryGetValue(File, out var bytes)) return null;
        var found = new List<string>();
        var number = 0;
        foreach (var raw in Encoding.ASCII.GetString(bytes).Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (!IsAddress(line)) return VerbResult.Failure("bad_request", $"file peers line {number}: not an IP address");
            found.Add(line);
            if (found.Count > Max) return VerbResult.Failure("bad_request", $"file peers lists more than {Max} addresses");
        }
        peers = found;
        return null;
    }

    private static bool IsAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':', StringComparison.Ordinal) : text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.'));
}
