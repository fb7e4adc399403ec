namespace IpsecMesh.Simulator;

/// <summary>KMS key specs the simulator supports, by their wire names.</summary>
public static class KmsKeySpec
{
    public const string Symmetric = "SYMMETRIC_DEFAULT";
    public const string EccNistP256 = "ECC_NIST_P256";
    public const string EccNistP384 = "ECC_NIST_P384";
    public const string Rsa2048 = "RSA_2048";
    public const string Rsa3072 = "RSA_3072";
    public const string Rsa4096 = "RSA_4096";

    public static bool IsKnown(string spec) => spec is Symmetric or EccNistP256 or EccNistP384 or Rsa2048 or Rsa3072 or Rsa4096;
}
