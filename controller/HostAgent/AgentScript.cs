using System.Reflection;

namespace IpsecMesh.HostAgent;

/// <summary>The embedded host agent script, exactly as it is sent to hosts.</summary>
public static class AgentScript
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ipsec-mesh-agent.sh")
            ?? throw new InvalidOperationException("the host agent script is not embedded in IpsecMesh.HostAgent");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Content => Text.Value;
}
