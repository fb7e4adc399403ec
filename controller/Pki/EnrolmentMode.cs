namespace IpsecMesh.Pki;

public enum EnrolmentMode
{
    /// <summary>Mode (a): the host makes its key and sends a CSR; the key never leaves the host.</summary>
    HostKey,

    /// <summary>Mode (b): the controller makes the key and ships it as PKCS#12 with a KMS-protected password.</summary>
    ControllerKey,
}
