namespace IpsecMesh.Pki;

/// <summary>
/// Enrolment mode (b): the certificate with its controller-made key as PKCS#12. The PKCS#12 password exists
/// only as <see cref="EncryptedPassword"/>, KMS-encrypted under the host KMS key with the context of
/// <see cref="HostSecretContext"/>: {"InstanceId": id, "InstanceArn": arn}.
/// </summary>
public sealed record IssuedKeyPackage(IssuedCertificate Certificate, byte[] Pkcs12, byte[] EncryptedPassword);
