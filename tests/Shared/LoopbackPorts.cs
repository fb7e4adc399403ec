using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpsecMesh.Tests.Shared;

/// <summary>
/// TCP ports for test listeners that cannot bind port 0 themselves (HttpListener, the controller's health port).
/// A port the kernel hands out for binding port 0 comes from the ephemeral range, which every outgoing
/// connection draws from too, so one can take it between the probe and the real bind. The ports here come from
/// below that range, where only explicit binds land.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 10000;

    public static int Next()
    {
        var below = EphemeralRangeStart();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = below > Lowest + 1000 ? Random.Shared.Next(Lowest, below) : 0;
            if (TryProbe(port, out var bound)) return bound;
        }
        throw new InvalidOperationException($"no free TCP port found between {Lowest} and {below}");
    }

    /// <summary>Starts <paramref name="listener"/> on a fresh port, trying again where another process won the race.</summary>
    public static (HttpListener Listener, int Port) StartHttpListener(Func<int, string> prefix)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = Next();
            var listener = new HttpListener();
            listener.Prefixes.Add(prefix(port));
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private static bool TryProbe(int port, out int bound)
    {
        // The health endpoint binds every address, so the probe does too.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Any, port));
        }
        catch (SocketException)
        {
            bound = 0;
            return false;
        }
        bound = ((IPEndPoint)probe.LocalEndPoint!).Port;
        return true;
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
