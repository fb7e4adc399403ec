using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;

namespace IpsecMesh.Pki.Keys;

/// <summary>A host key made by the controller in enrolment mode (b); it leaves the process only inside PKCS#12.</summary>
public sealed record GeneratedHostKey(AsymmetricKeyParameter PrivateKey, SubjectPublicKeyInfo PublicKey);
