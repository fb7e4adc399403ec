using System.Collections.Concurrent;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Integration.Tests;

public class HostileInputTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static readonly string[] HostileValues =
    [
        "'; rm -rf / #",
        "\"$(curl http://169.254.169.254/)\"",
        "`reboot`",
        "line1\nline2\r\nIPSEC_MESH_REQUEST_EOF\nverb uninstall",
        "${IFS}cat${IFS}/etc/shadow",
        new string('ü', 120) + new string('語', 136),
    ];

    [Fact]
    public async Task No_tag_value_reaches_a_command_the_host_runs()
    {
        await using var mesh = new MeshFixture();
        var seen = new ConcurrentBag<string>();
        var real = new VirtualHost(VirtualHostOptions.Instant);
        // Everything the host gets: the document's script as SSM renders it, and the input files it downloaded.
        var recording = new ExternalRuntime(async (context, run, ct) =>
        {
            foreach (var line in run.RunCommand) seen.Add(line);
            foreach (var file in run.Files.Values) seen.Add(System.Text.Encoding.UTF8.GetString(file));
            return await real.ExecuteAsync(context, run, ct);
        });
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [MeshFixture.TagKey] = "todo" };
        for (var i = 0; i < HostileValues.Length; i++) tags[$"Name{i}"] = HostileValues[i];
        var instance = mesh.Aws.Fleet.Launch(new InstanceSpec { Tags = tags, Runtime = recording });
        var unknown = mesh.Launch(tag: HostileValues[1]);

        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");
        await mesh.WaitForAsync(() => unknown.Tag("IPSec:Status") is not null, "the unknown value to be reported");

        Assert.NotEmpty(seen);
        var everything = string.Join('\n', seen);
        foreach (var hostile in HostileValues.Select(v => v.Split('\n')[0]))
            Assert.DoesNotContain(hostile, everything, StringComparison.Ordinal);
        // The unknown value is echoed only through the status sentence's alphabet.
        var status = unknown.Tag("IPSec:Status")!;
        Assert.StartsWith("tag value '", status, StringComparison.Ordinal);
        Assert.DoesNotContain("$(", status, StringComparison.Ordinal);
        Assert.DoesNotContain('"', status);
        Assert.Equal(HostileValues[1], unknown.Tag(MeshFixture.TagKey));
    }
}
