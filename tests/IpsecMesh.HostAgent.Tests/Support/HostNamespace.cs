using System.Diagnostics;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// A throwaway host on this machine: its own network namespace (a veth with 10.77.0.5/24 and a
/// default route, so %defaultroute resolves) and a private mount namespace with tmpfs over
/// /var/lib, /run, /var/log and /etc/ipsec.d and a private copy of /etc/ipsec.conf. The agent
/// runs there on libreswan's stock paths, exactly as SSM would run it, and its pluto touches
/// nothing outside.
/// </summary>
internal sealed class HostNamespace : IAsyncDisposable
{
    private const string Setup = """
        set -e
        for d in /var/lib /run /var/log /etc/ipsec.d; do mount -t tmpfs -o mode=0755 ipsec-mesh-test "$d"; done
        cp /etc/ipsec.conf /run/ipsec.conf
        mount --bind /run/ipsec.conf /etc/ipsec.conf
        mkdir -p /var/lib/ipsec/nss /etc/ipsec.d/policies /run/pluto
        ip link set lo up
        ip link add mesh0 type veth peer name mesh1
        ip link set mesh0 up
        ip link set mesh1 up
        ip addr add 10.77.0.5/24 dev mesh0
        ip route add default via 10.77.0.1
        echo ready
        exec sleep 3600
        """;

    private readonly Process _holder;

    private HostNamespace(Process holder) => _holder = holder;

    public static async Task<HostNamespace> StartAsync()
    {
        Prerequisites.RequireRoot();
        Prerequisites.Require("unshare", "nsenter", "ip", "certutil", "openssl", "ipsec", "pluto");
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-n", "-m", "--propagation", "private", "bash", "-c", Setup }) info.ArgumentList.Add(argument);
        var holder = Process.Start(info) ?? throw new InvalidOperationException("could not start unshare");
        var ready = await holder.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        if (ready != "ready")
        {
            var error = await holder.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            holder.Kill(entireProcessTree: true);
            holder.Dispose();
            var reason = $"could not create the test host namespaces: {error.Trim()}";
            if (Prerequisites.InCi) Assert.Fail(reason);
            Assert.Skip(reason);
        }
        return new HostNamespace(holder);
    }

    /// <summary>Runs SSM-style command lines with bash inside the host.</summary>
    public Task<ProcessResult> RunCommandsAsync(IReadOnlyList<string> commands, CancellationToken cancellationToken = default) =>
        RunShellAsync(string.Join('\n', commands) + "\n", cancellationToken);

    public Task<ProcessResult> RunShellAsync(string script, CancellationToken cancellationToken = default) =>
        ProcessRunner.RunAsync("nsenter", ["-t", _holder.Id.ToString(), "-n", "-m", "--", "bash", "-s"], script,
            new Dictionary<string, string> { ["IPSEC_MESH_INIT"] = "direct", ["IPSEC_MESH_LOCK_TIMEOUT"] = "30" },
            cancellationToken);

    /// <summary>
    /// Puts a wrapper for <paramref name="tool"/> first on the agent's PATH (a tmpfs over /usr/local/sbin,
    /// private to this host). The wrapper appends its arguments to /run/&lt;tool&gt;.calls, then runs
    /// <paramref name="body"/> (bash, with the real tool in <c>$REAL</c>).
    /// </summary>
    public async Task WrapToolAsync(string tool, string body = "exec \"$REAL\" \"$@\"")
    {
        var script = $$"""
            set -e
            mountpoint -q /usr/local/sbin || mount -t tmpfs -o mode=0755 ipsec-mesh-wrappers /usr/local/sbin
            real=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v {{tool}})
            {
              echo '#!/bin/bash'
              echo "REAL=$real"
              echo 'printf "%s\n" "$*" >>/run/{{tool}}.calls'
              cat <<'WRAPPER_BODY'
            {{body}}
            WRAPPER_BODY
            } >/usr/local/sbin/{{tool}}
            chmod 0755 /usr/local/sbin/{{tool}}
            echo wrapped

            """;
        var result = await RunShellAsync(script, TestContext.Current.CancellationToken);
        if (result.Stdout.Trim() != "wrapped") throw new InvalidOperationException($"could not wrap {tool}: {result}");
    }

    /// <summary>
    /// Puts a wrapper over libreswan's own <c>/usr/libexec/ipsec/&lt;tool&gt;</c> (the path the agent calls
    /// whack and addconn by), bind-mounted in this host's private mount namespace only. The wrapper appends
    /// its arguments to /run/&lt;tool&gt;.calls, then runs <paramref name="body"/> (bash, with a copy of the
    /// real tool in <c>$REAL</c>). Wrapping again replaces the body.
    /// </summary>
    public async Task WrapLibexecToolAsync(string tool, string body)
    {
        var script = $$"""
            set -e
            real=/run/ipsec-mesh-real-{{tool}}
            wrapper=/run/ipsec-mesh-wrapper-{{tool}}
            [ -e "$real" ] || cp /usr/libexec/ipsec/{{tool}} "$real"
            {
              echo '#!/bin/bash'
              echo "REAL=$real"
              echo 'printf "%s\n" "$*" >>/run/{{tool}}.calls'
              cat <<'WRAPPER_BODY'
            {{body}}
            WRAPPER_BODY
            } >"$wrapper.new"
            chmod 0755 "$wrapper.new"
            cat "$wrapper.new" >"$wrapper"
            chmod 0755 "$wrapper"
            mountpoint -q /usr/libexec/ipsec/{{tool}} || mount --bind "$wrapper" /usr/libexec/ipsec/{{tool}}
            echo wrapped

            """;
        var result = await RunShellAsync(script, TestContext.Current.CancellationToken);
        if (result.Stdout.Trim() != "wrapped") throw new InvalidOperationException($"could not wrap {tool}: {result}");
    }

    /// <summary>Takes away the wrapper of <see cref="WrapLibexecToolAsync"/>: the real tool runs again.</summary>
    public async Task UnwrapLibexecToolAsync(string tool)
    {
        var result = await RunShellAsync($"umount /usr/libexec/ipsec/{tool} && echo unwrapped\n", TestContext.Current.CancellationToken);
        if (result.Stdout.Trim() != "unwrapped") throw new InvalidOperationException($"could not unwrap {tool}: {result}");
    }

    public async ValueTask DisposeAsync()
    {
        // pluto outlives the holder process; stop it by its own pid file first.
        await RunShellAsync("if [ -f /run/pluto/pluto.pid ]; then kill \"$(cat /run/pluto/pluto.pid)\" || true; fi\n", CancellationToken.None);
        _holder.Kill(entireProcessTree: true);
        await _holder.WaitForExitAsync(CancellationToken.None);
        _holder.Dispose();
    }
}
