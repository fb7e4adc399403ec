using System.Globalization;

namespace IpsecMesh.EndToEnd.Guest;

/// <summary>
/// What the driver asks of the guest for its assertions, through the "control" spool (the guest's
/// root namespaces) or a host's own spool: pings, bridge captures, background pingers, host shells.
/// Traffic only ever flows between the namespaces the guest built.
/// </summary>
/// <remarks>
/// Every ping names its source address (<c>-I</c>): without one, iputils ping first connect()s a UDP socket to the
/// destination to learn it, and exits when that fails. Under libreswan 5.x that connect() to a peer that pluto is negotiating
/// with, or holds a failure shunt for, can meet a block policy (EPERM: "ping: connect: Operation not permitted"), so a
/// pinger started then never sent a packet; scenario g read that as a peer the late host never reached (docs/e2e.md).
/// </remarks>
public sealed class GuestControl(SpoolClient spool, string workDirectory)
{
    private const string Control = "control";
    private static readonly TimeSpan ShortCommand = TimeSpan.FromSeconds(60);

    /// <summary>The guest's command line for iputils ping from one host's namespace to another host, quiet, numeric, from its own address (see remarks).</summary>
    private static string Ping(GuestHost from, GuestHost to, string options) =>
        $"ip netns exec {from.Name} ping -n -q -I {from.Address} {options} {to.Address}";

    /// <summary>Runs a script in a host's network and mount namespaces (the SSM stand-in's spool).</summary>
    public Task<SpoolResult> OnHostAsync(GuestHost host, string script, CancellationToken cancellationToken) =>
        spool.RunAsync(host.Name, script, ShortCommand, cancellationToken);

    /// <summary>
    /// Runs an agent request on a host as root there could (the agent document's stand-in, without the controller or
    /// SSM); the agent's result line for it.
    /// </summary>
    public async Task<HostAgent.Protocol.AgentResult> RunAgentAsync(GuestHost host, HostAgent.Protocol.AgentRequest request, CancellationToken cancellationToken)
    {
        var result = await spool.RunAsync(host.Name, Simulator.AgentDocumentRun.For(request).StandInScript(), TimeSpan.FromMinutes(10), cancellationToken);
        return HostAgent.Protocol.AgentResult.ParseAll(result.Stdout) is [var line] ? line
            : throw new InvalidOperationException($"{host.Name}: the agent printed no single result (exit {result.ExitCode}): {result.Stderr.Trim()}");
    }

    public async Task<PingSummary> PingAsync(GuestHost from, GuestHost to, int count, CancellationToken cancellationToken)
    {
        var result = await spool.RunAsync(Control,
            $"{Ping(from, to, $"-c {count} -i 0.5 -W 1")}\n", ShortCommand, cancellationToken);
        return PingSummary.Parse(result.Stdout);
    }

    /// <summary>Pings once a second until one answer arrives; the seconds that took, or null when none came within the limit.</summary>
    public async Task<double?> ReachAsync(GuestHost from, GuestHost to, TimeSpan within, CancellationToken cancellationToken)
    {
        var seconds = (int)within.TotalSeconds;
        var result = await spool.RunAsync(Control, $$"""
            start=$(date +%s.%N)
            end=$(( $(date +%s) + {{seconds}} ))
            while [ "$(date +%s)" -lt "$end" ]; do
              if {{Ping(from, to, "-c 1 -W 1")}} >/dev/null; then
                echo "$(date +%s.%N) $start" | awk '{ printf "%.2f\n", $1 - $2 }'
                exit 0
              fi
            done
            exit 1
            """, within + ShortCommand, cancellationToken);
        return result.Succeeded ? double.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Starts tcpdump on the bridge, writing a pcap into the work directory; returns once it listens.</summary>
    public async Task<BridgeCapture> StartCaptureAsync(string name, CancellationToken cancellationToken)
    {
        var capture = new BridgeCapture(name, Path.Combine(workDirectory, "captures", name + ".pcap"));
        Directory.CreateDirectory(Path.GetDirectoryName(capture.PcapPath)!);
        var result = await spool.RunAsync(Control, $"""
            ip netns exec br tcpdump -i br0 -n -U --immediate-mode -w {capture.PcapPath} >/run/e2e/capture-{name}.log 2>&1 &
            echo $! >/run/e2e/capture-{name}.pid
            until grep -q listening /run/e2e/capture-{name}.log; do sleep 0.1; done
            """, ShortCommand, cancellationToken);
        return result.Succeeded ? capture : throw new InvalidOperationException($"capture {name} did not start: {result.Stderr}");
    }

    /// <summary>Stops a capture after letting tcpdump drain its ring; hostfs makes the file complete once tcpdump exits.</summary>
    public async Task<IReadOnlyList<Wire.CapturedPacket>> StopCaptureAsync(BridgeCapture capture, CancellationToken cancellationToken)
    {
        await spool.RunAsync(Control, $"""
            pid=$(cat /run/e2e/capture-{capture.Name}.pid)
            sleep 0.5
            kill -INT "$pid"
            while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
            """, ShortCommand, cancellationToken);
        return Wire.PcapReader.Read(capture.PcapPath);
    }

    /// <summary>Starts a ping that runs until stopped, one echo request per interval.</summary>
    public async Task StartPingerAsync(string name, GuestHost from, GuestHost to, TimeSpan interval, CancellationToken cancellationToken)
    {
        var seconds = interval.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture);
        await spool.RunAsync(Control, $"""
            {Ping(from, to, $"-i {seconds} -W 1")} >/run/e2e/pinger-{name}.log 2>&1 &
            echo $! >/run/e2e/pinger-{name}.pid
            """, ShortCommand, cancellationToken);
    }

    public async Task<PingSummary> StopPingerAsync(string name, CancellationToken cancellationToken)
    {
        var result = await spool.RunAsync(Control, $"""
            pid=$(cat /run/e2e/pinger-{name}.pid)
            kill -INT "$pid"
            while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
            cat /run/e2e/pinger-{name}.log
            """, ShortCommand, cancellationToken);
        return PingSummary.Parse(result.Stdout);
    }

    /// <summary>Starts one pinger per ordered pair (both directions of every pair given), named PREFIX-FROM-TO.</summary>
    public async Task StartPingersAsync(string prefix, IEnumerable<(GuestHost From, GuestHost To)> pairs, TimeSpan interval, CancellationToken cancellationToken)
    {
        foreach (var (from, to) in pairs) await StartPingerAsync($"{prefix}-{from.Name}-{to.Name}", from, to, interval, cancellationToken);
    }

    /// <summary>Stops the pingers of <see cref="StartPingersAsync"/> and returns each one's summary.</summary>
    public async Task<IReadOnlyList<(GuestHost From, GuestHost To, PingSummary Summary)>> StopPingersAsync(string prefix, IEnumerable<(GuestHost From, GuestHost To)> pairs, CancellationToken cancellationToken)
    {
        var summaries = new List<(GuestHost, GuestHost, PingSummary)>();
        foreach (var (from, to) in pairs) summaries.Add((from, to, await StopPingerAsync($"{prefix}-{from.Name}-{to.Name}", cancellationToken)));
        return summaries;
    }

    /// <summary>
    /// Watches, every half second in the guest, how many kernel SAs a host holds with a peer; <see cref="SaWatchAsync"/>
    /// reads the samples. Runs until the guest stops or <see cref="StopSaWatchAsync"/>.
    /// </summary>
    public async Task StartSaWatchAsync(string name, GuestHost host, GuestHost peer, CancellationToken cancellationToken)
    {
        await spool.RunAsync(Control, $$"""
            ( while :; do
                n=$(ip netns exec {{host.Name}} ip xfrm state 2>/dev/null | awk '
                  /^src / { pair = ($0 ~ /^src ({{peer.Address}} dst {{host.Address}}|{{host.Address}} dst {{peer.Address}})( |$)/) }
                  pair && $1 == "proto" { if ($4 != "0x00000000") n++; pair = 0 }
                  END { print n + 0 }')
                echo "$(date +%s.%N) $n"
                sleep 0.5
              done ) >/run/e2e/sa-{{name}}.log 2>/dev/null &
            echo $! >/run/e2e/sa-{{name}}.pid
            """, ShortCommand, cancellationToken);
    }

    /// <summary>The watch's samples so far: guest time and the number of SAs.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset At, int Sas)>> SaWatchAsync(string name, CancellationToken cancellationToken)
    {
        var result = await spool.RunAsync(Control, $"cat /run/e2e/sa-{name}.log\n", ShortCommand, cancellationToken);
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length == 2 && int.TryParse(fields[1], out _))
            .Select(fields => (DateTimeOffset.UnixEpoch.AddSeconds(double.Parse(fields[0], CultureInfo.InvariantCulture)), int.Parse(fields[1], CultureInfo.InvariantCulture)))];
    }

    public Task StopSaWatchAsync(string name, CancellationToken cancellationToken) =>
        spool.RunAsync(Control, $"kill $(cat /run/e2e/sa-{name}.pid) 2>/dev/null; true\n", ShortCommand, cancellationToken);

    /// <summary>The last lines of the host's pluto log that match an extended regular expression.</summary>
    public async Task<IReadOnlyList<string>> PlutoLogAsync(GuestHost host, string pattern, CancellationToken cancellationToken)
    {
        // In single quotes for the guest's shell: a quote in the pattern closes, escapes and reopens them.
        var quoted = pattern.Replace("'", "'\\''", StringComparison.Ordinal);
        var result = await OnHostAsync(host, $"grep -E -- '{quoted}' /var/log/pluto.log | tail -n 5\n", cancellationToken);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The guest clock minus this process's clock, from the fastest of a few round trips.</summary>
    public async Task<TimeSpan> ClockOffsetAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var best = (RoundTrip: TimeSpan.MaxValue, Offset: TimeSpan.Zero);
        for (var i = 0; i < 3; i++)
        {
            var sent = time.GetUtcNow();
            var result = await spool.RunAsync(Control, "date +%s.%N\n", ShortCommand, cancellationToken);
            var received = time.GetUtcNow();
            var guest = DateTimeOffset.UnixEpoch.AddSeconds(double.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture));
            var roundTrip = received - sent;
            if (roundTrip < best.RoundTrip) best = (roundTrip, guest - (sent + roundTrip / 2));
        }
        return best.Offset;
    }
}
