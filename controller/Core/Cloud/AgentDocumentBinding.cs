using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Document;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// The document every command runs: its name (this build's, or the SsmDocument override) and the
/// version the start-up check found to hold this build's agent; commands name that version, so a
/// later version of the document (an UpdateDocument by someone else) never runs.
/// </summary>
public sealed class AgentDocumentBinding(IpsecMeshOptions options)
{
    private string _version = "$DEFAULT";

    public string Name { get; } = string.IsNullOrEmpty(options.SsmDocument) ? AgentDocument.Name : options.SsmDocument;

    public string Version
    {
        get => Volatile.Read(ref _version);
        internal set => Volatile.Write(ref _version, value);
    }
}
