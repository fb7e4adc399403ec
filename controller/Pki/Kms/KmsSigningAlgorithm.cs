namespace IpsecMesh.Pki.Kms;

public enum KmsSigningAlgorithm
{
    EcdsaSha256,
    EcdsaSha384,
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
}
