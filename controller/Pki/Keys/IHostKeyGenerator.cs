namespace IpsecMesh.Pki.Keys;

public interface IHostKeyGenerator
{
    string Library { get; }

    GeneratedHostKey Generate(HostKeyAlgorithm algorithm);
}
