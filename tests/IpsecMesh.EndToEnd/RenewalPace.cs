namespace IpsecMesh.EndToEnd;

/// <summary>How soon the suite's controller renews host certificates.</summary>
public enum RenewalPace
{
    /// <summary>Not within the suite's run: no rotation disturbs the other scenarios.</summary>
    Never,
    /// <summary>Two minutes after issuance: scenario c's certificates, all older by then, renew at once.</summary>
    Soon,
}
