using Microsoft.Extensions.Options;

namespace IpsecMesh.Pki;

/// <summary>The PKI settings' rules (<see cref="PkiOptions.Check"/>) for the options pattern: every failure at once.</summary>
public sealed class PkiOptionsValidator : IValidateOptions<PkiOptions>
{
    public ValidateOptionsResult Validate(string? name, PkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Check();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.Text));
    }
}
