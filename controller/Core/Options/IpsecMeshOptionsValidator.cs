using Microsoft.Extensions.Options;

namespace IpsecMesh.Core.Options;

/// <summary>The controller's settings rules (<see cref="OptionsValidation.Check"/>) for the options pattern: every failure at once.</summary>
/// <param name="requireAwsResources">Whether the queue, bucket and CA key must be set (the controller: yes; <c>ca</c>, <c>status</c>: no).</param>
public sealed class IpsecMeshOptionsValidator(bool requireAwsResources) : IValidateOptions<IpsecMeshOptions>
{
    public ValidateOptionsResult Validate(string? name, IpsecMeshOptions options)
    {
        var errors = OptionsValidation.Check(options, requireAwsResources);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.Text));
    }
}
