using IpsecMesh.Pki;

namespace IpsecMesh.Core.Options;

/// <summary>
/// The controller's and the PKI's settings checked together, before anything is built: every invalid setting of the
/// <c>IpsecMesh</c> section at once, each reported once. Where both check a setting (RenewAfter, CaKmsKeyId, …) the
/// controller's sentence wins; the two are matched by <see cref="SettingError.Setting"/>.
/// </summary>
public static class SettingsValidation
{
    /// <summary>Every error as "IpsecMesh:&lt;Setting&gt;…"; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(IpsecMeshOptions options, PkiOptions pki, bool requireAwsResources)
    {
        ArgumentNullException.ThrowIfNull(pki);
        var errors = OptionsValidation.Check(options, requireAwsResources);
        var named = errors.Select(e => e.Setting).ToHashSet(StringComparer.Ordinal);
        return errors.Select(e => e.Text)
            .Concat(pki.Check().Where(e => !named.Contains(e.Setting)).Select(e => $"{IpsecMeshOptions.Section}:{e.Text}"))
            .ToList();
    }

    /// <exception cref="SettingsException">Any setting is invalid; the exception lists every one.</exception>
    public static void EnsureValid(IpsecMeshOptions options, PkiOptions pki, bool requireAwsResources)
    {
        var errors = Validate(options, pki, requireAwsResources);
        if (errors.Count > 0) throw new SettingsException(errors);
    }
}
