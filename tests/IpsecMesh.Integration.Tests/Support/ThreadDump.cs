using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace IpsecMesh.Integration.Tests.Support;

/// <summary>
/// The managed stacks of every thread of this process, from a snapshot (ClrMD: on Linux a core dump written by the
/// runtime's createdump, read and deleted). Identical stacks are printed once with their count, those in ipsec-mesh
/// code first: what a hung test shows instead of hanging the suite.
/// </summary>
internal static class ThreadDump
{
    public static string Take(int maxFrames = 40)
    {
        try
        {
            using var target = DataTarget.CreateSnapshotAndAttach(Environment.ProcessId);
            using var runtime = target.ClrVersions[0].CreateRuntime();
            var stacks = runtime.Threads
                .Where(t => t.IsAlive)
                .Select(t => string.Join("\n", t.EnumerateStackTrace().Take(maxFrames).Select(f => "    " + (f.Method?.Signature ?? f.FrameName ?? f.Kind.ToString()))))
                .Where(s => s.Length > 0)
                .GroupBy(s => s, StringComparer.Ordinal)
                .OrderByDescending(g => g.Key.Contains("IpsecMesh", StringComparison.Ordinal))
                .ThenByDescending(g => g.Count());
            var text = new StringBuilder();
            foreach (var group in stacks) text.Append(group.Count()).Append(" thread(s):\n").Append(group.Key).Append("\n\n");
            return text.ToString();
        }
#pragma warning disable CA1031 // a dump that cannot be taken must not hide the failure it was taken for
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"(no thread dump: {e.GetType().Name}: {e.Message})";
        }
    }
}
