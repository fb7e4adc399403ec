using System.Net.Sockets;
using System.Text;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>Finds out, once, whether a Docker engine answers here (DOCKER_HOST or /var/run/docker.sock).</summary>
public static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";
    private static readonly Lazy<string?> Unreachable = new(() => Probe(Environment.GetEnvironmentVariable("DOCKER_HOST"), DefaultSocket));

    /// <summary>Null when an engine answered; otherwise why not, for the skip message.</summary>
    public static string? UnreachableReason => Unreachable.Value;

    /// <summary>Null when the engine named by <paramref name="dockerHost"/> (or the default socket) answers /_ping.</summary>
    public static string? Probe(string? dockerHost, string defaultSocket)
    {
        if (string.IsNullOrEmpty(dockerHost))
        {
            return File.Exists(defaultSocket)
                ? Ping(new UnixDomainSocketEndPoint(defaultSocket), defaultSocket)
                : $"no Docker engine reachable: DOCKER_HOST is not set and {defaultSocket} does not exist";
        }

        if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri))
        {
            return $"no Docker engine reachable: DOCKER_HOST '{dockerHost}' is not a URI";
        }

        return uri.Scheme switch
        {
            "unix" => Ping(new UnixDomainSocketEndPoint(uri.AbsolutePath), dockerHost),
            "tcp" => Ping(new System.Net.DnsEndPoint(uri.Host, uri.Port), dockerHost),
            _ => $"no Docker engine reachable: DOCKER_HOST scheme '{uri.Scheme}' is not probed (unix or tcp)",
        };
    }

    private static string? Ping(System.Net.EndPoint endPoint, string name)
    {
        try
        {
            var protocol = endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp;
            using var socket = new Socket(endPoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endPoint.AddressFamily, SocketType.Stream, protocol);
            socket.ReceiveTimeout = 5000;
            socket.SendTimeout = 5000;
            socket.Connect(endPoint);
            socket.Send(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"));
            var buffer = new byte[512];
            var received = socket.Receive(buffer);
            var answer = Encoding.ASCII.GetString(buffer, 0, received);
            return answer.StartsWith("HTTP/1.", StringComparison.Ordinal) && answer.Contains(" 200 ", StringComparison.Ordinal)
                ? null
                : $"no Docker engine reachable: {name} answered '{answer.Split('\r')[0]}' to /_ping";
        }
        catch (SocketException exception)
        {
            return $"no Docker engine reachable: {name}: {exception.Message}";
        }
    }
}
