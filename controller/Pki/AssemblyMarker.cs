namespace IpsecMesh.Pki;
internal static class AssemblyMarker;
