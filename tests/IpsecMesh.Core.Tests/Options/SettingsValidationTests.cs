using IpsecMesh.Core.Options;
using IpsecMesh.Pki;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IpsecMesh.Core.Tests.Options;

/// <summary>
/// The controller's and the PKI's settings rules together: each invalid setting reported once (matched by setting, not by
/// the text), and the same rules in the options pattern, checked when a host starts.
/// </summary>
public sealed class SettingsValidationTests
{
    private static readonly IpsecMeshOptions Valid = new()
    {
        QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/ipsec-mesh-events",
        Bucket = "ipsec-mesh-123456789012",
        CaKmsKeyId = "alias/ipsec-mesh-ca",
    };

    private static PkiOptions Pki(IpsecMeshOptions options, PkiOptions? pki = null) => (pki ?? new PkiOptions()) with
    {
        Bucket = options.Bucket ?? "",
        CaKmsKeyId = options.CaKmsKeyId ?? "",
        CertificateLifetime = options.CertificateLifetime,
        RenewAfter = options.RenewAfter,
    };

    [Fact]
    public void A_setting_both_check_is_reported_once_in_the_controllers_words()
    {
        var options = Valid with { RenewAfter = TimeSpan.FromDays(40) };

        var errors = SettingsValidation.Validate(options, Pki(options), requireAwsResources: true);

        var error = Assert.Single(errors);
        Assert.StartsWith("IpsecMesh:RenewAfter: ", error, StringComparison.Ordinal);
        Assert.Contains(Pki(options).Check(), e => e.Setting == "RenewAfter");
    }

    [Fact]
    public void Settings_only_the_pki_checks_are_reported_too_each_naming_its_setting_all_at_once()
    {
        var options = Valid with { CaKmsKeyId = null, Workers = 0 };
        var pki = Pki(options, new PkiOptions { ClockSkewBackdate = TimeSpan.FromHours(2), NameConstraints = ["10.0.0.0/33"] });

        // Without the AWS resources required (ca, status), the missing CA key is the PKI's to report.
        var errors = SettingsValidation.Validate(options, pki, requireAwsResources: false);

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:Workers: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:ClockSkewBackdate (02:00:00)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:NameConstraints: '10.0.0.0/33'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:CaKmsKeyId is required", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureValid_throws_every_error_in_one_settings_exception()
    {
        var options = Valid with { VpcId = "prod", TagKey = "aws:x" };

        var thrown = Assert.Throws<Core.Options.SettingsException>(() => SettingsValidation.EnsureValid(options, Pki(options), true));

        Assert.Equal(2, thrown.Errors.Count);
        Assert.Contains("IpsecMesh:VpcId: 'prod'", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_with_the_options_registered_refuses_to_start_naming_every_invalid_setting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IpsecMesh:Workers"] = "0",
            ["IpsecMesh:VpcId"] = "prod-vpc",
            ["IpsecMesh:CaKmsKeyId"] = "alias/ca",
            ["IpsecMesh:ClockSkewBackdate"] = "-00:01:00",
        });
        var section = builder.Configuration.GetSection(IpsecMeshOptions.Section);
        builder.Services.AddOptions<IpsecMeshOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IpsecMeshOptions>>(new IpsecMeshOptionsValidator(requireAwsResources: false));
        builder.Services.AddOptions<PkiOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PkiOptions>, PkiOptionsValidator>();
        using var host = builder.Build();

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(TestContext.Current.CancellationToken));

        var failures = (thrown is AggregateException all ? all.InnerExceptions : [thrown]).OfType<OptionsValidationException>().SelectMany(e => e.Failures).ToList();
        Assert.Contains(failures, f => f.StartsWith("IpsecMesh:Workers: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("IpsecMesh:VpcId: 'prod-vpc'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ClockSkewBackdate (-00:01:00)", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }
}
