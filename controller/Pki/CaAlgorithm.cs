namespace IpsecMesh.Pki;

public enum CaAlgorithm
{
    EcdsaP384,
    Rsa4096,
}
