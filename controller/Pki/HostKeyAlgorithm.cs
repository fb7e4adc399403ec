namespace IpsecMesh.Pki;

/// <summary>The key type the controller generates for a host in enrolment mode (b).</summary>
public enum HostKeyAlgorithm
{
    Rsa4096,
    EcdsaP256,
}
