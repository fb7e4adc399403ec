namespace IpsecMesh.Pki;

/// <summary>
/// One invalid setting: <paramref name="Setting"/> is its key inside the section (e.g. <c>RenewAfter</c>,
/// <c>LeaderElection:RetryPeriod</c>), <paramref name="Text"/> the whole sentence reported for it (which names it too).
/// Two validators that check the same setting are reconciled by <see cref="Setting"/>, never by parsing <see cref="Text"/>.
/// </summary>
public sealed record SettingError(string Setting, string Text)
{
    public override string ToString() => Text;
}
