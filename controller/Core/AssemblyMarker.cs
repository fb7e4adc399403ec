namespace IpsecMesh.Core;
internal static class AssemblyMarker;
