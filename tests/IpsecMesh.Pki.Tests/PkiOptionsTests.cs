using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

public sealed class PkiOptionsTests
{
    [Fact]
    public void Defaults_with_a_ca_kms_key_are_valid_and_match_the_issue()
    {
        var options = new PkiOptions { CaKmsKeyId = "alias/ca" };

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromDays(30), options.CertificateLifetime);
        Assert.Equal(TimeSpan.FromDays(7), options.RenewAfter);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ClockSkewBackdate);
        Assert.Equal(CaAlgorithm.EcdsaP384, options.CaAlgorithm);
    }

    [Fact]
    public void Renewal_age_must_be_shorter_than_the_lifetime()
    {
        var options = PkiFixture.DefaultOptions() with { RenewAfter = TimeSpan.FromDays(30) };

        Assert.Contains(options.Validate(), error => error.StartsWith("RenewAfter", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var options = new PkiOptions
        {
            RenewAfter = TimeSpan.FromDays(40),
            ClockSkewBackdate = TimeSpan.FromHours(2),
            EnrolmentMode = EnrolmentMode.ControllerKey,
            NameConstraints = ["10.0.0.0/16", "vpc-123"],
            CrlLifetime = TimeSpan.Zero,
        };

        var error = Assert.Throws<PkiOptionsException>(() => options.EnsureValid());

        Assert.Equal(6, error.Errors.Count);
        Assert.Contains(error.Errors, message => message.Contains("'vpc-123' is not a CIDR", StringComparison.Ordinal));
        Assert.Contains(error.Errors, message => message.StartsWith("HostKmsKeyId", StringComparison.Ordinal));
        Assert.Contains(error.Errors, message => message.StartsWith("CaKmsKeyId", StringComparison.Ordinal));
    }
}
