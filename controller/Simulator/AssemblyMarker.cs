namespace IpsecMesh.Simulator;
internal static class AssemblyMarker;
