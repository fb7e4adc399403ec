namespace IpsecMesh.Pki;

/// <summary>Why a certificate was revoked: the CRL entry's reasonCode (RFC 5280 §5.3.1), with its numeric value.</summary>
public enum RevocationReason
{
    /// <summary>reasonCode 4: a newer certificate with other names replaced it (the instance's addresses changed).</summary>
    Superseded = 4,

    /// <summary>reasonCode 5: the instance left the mesh (terminated or opted out); nothing suggests its key was compromised.</summary>
    CessationOfOperation = 5,
}
