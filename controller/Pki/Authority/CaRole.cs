namespace IpsecMesh.Pki.Authority;

public enum CaRole
{
    /// <summary>Signs new certificates; in the trust bundle.</summary>
    Current,

    /// <summary>Replaced by a rotation; still in the trust bundle until its retire time.</summary>
    Previous,

    /// <summary>Replaced, and its overlap is over: no longer trusted.</summary>
    Retired,
}
