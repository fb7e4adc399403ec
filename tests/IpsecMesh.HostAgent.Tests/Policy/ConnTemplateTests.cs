using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

public class ConnTemplateTests
{
    private const string Label = "s3://mesh-bucket/config/ipsec-mesh.conf";

    [Fact]
    public void The_shipped_template_is_allowed()
    {
        Assert.Empty(Errors(PolicyFiles.Template));
    }

    [Theory]
    // The typo of issue "safe roll-out": libreswan rejects it on every host, so the controller must not roll it out.
    [InlineData("\tnegotiationshunt=hold\n\tfailureshunt=drop", "\tnegotiationshunts=hold\n\tfailureshunt=drop", "'negotiationshunts' is not a libreswan keyword (did you mean 'negotiationshunt'?)")]
    [InlineData("\tleftupdown=%disabled\n\tnarrowing", "\tleftupdown=/usr/local/bin/phone-home\n\tnarrowing", "leftupdown=/usr/local/bin/phone-home is not allowed: leftupdown must be %disabled")]
    [InlineData("conn private\n", "conn private\n\tleftupdown=\"/bin/sh -c id\"\n", "leftupdown is not allowed in conn private: an updown script would run as root on every host")]
    [InlineData("conn clear\n", "include /etc/ipsec.d/*.conf\nconn clear\n", "'include' is not allowed: the template is the mesh's whole libreswan config")]
    [InlineData("conn block\n", "conn everything-clear\n\ttype=passthrough\n\tauthby=never\n\tleft=%defaultroute\n\tright=0.0.0.0/0\n\tauto=route\n\nconn block\n", "conn 'everything-clear' is not one the mesh knows")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftid=%fromcert\n\tleftcert=ipsec-mesh-host\n", "leftid is not allowed in conn ipsec-mesh-base: the IKE identity must stay the host's address")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftcert=ipsec-mesh-host\n\trightid=%any\n", "rightid is not allowed in conn ipsec-mesh-base: the IKE identity must stay the host's address")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftcert=ipsec-mesh-host\n\trightca=%same\n", "rightca is not allowed in conn ipsec-mesh-base")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftcert=ipsec-mesh-host\n\trequire-id-on-certificate=no\n", "require-id-on-certificate=no is not allowed: require-id-on-certificate must be yes (the default)")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftcert=other\n", "leftcert=other is not allowed: leftcert must be ipsec-mesh-host")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftcert=ipsec-mesh-host\n\tretransmit-timeout=2m\n", "retransmit-timeout=2m is not allowed: retransmit-timeout must be a duration of at most 60s such as 500ms, 10s or 1m")]
    [InlineData("\tleftcert=ipsec-mesh-host\n", "\tleftcert=ipsec-mesh-host\n\tauto=ondemand\n", "auto is not allowed in conn ipsec-mesh-base: a base conn reached by also= must not set auto=")]
    [InlineData("\tnegotiationshunt=hold\n\tfailureshunt=drop", "\tnegotiationshunt=hold\n\tfailureshunt=passthrough", "failureshunt=passthrough is not allowed: failureshunt must be one of drop, reject")]
    [InlineData("\tnegotiationshunt=hold\n\tfailureshunt=drop", "\ttype=passthrough\n\tnegotiationshunt=hold\n\tfailureshunt=drop", "type is not allowed in conn private: an encrypting group's type comes from the base conn")]
    [InlineData("\tnarrowing=yes\n", "\tnarrowing=yes\n\tesp=null-sha2\n", "esp=null-sha2 is not allowed")]
    [InlineData("\tnarrowing=yes\n", "\tnarrowing=yes\n\tshuntlifetime=1m\n", "'shuntlifetime' belongs in config setup, not in conn ipsec-mesh-base")]
    [InlineData("\tshuntlifetime=5m\n", "\tshuntlifetime=5m\n\tlogfile=/tmp/pluto.log\n", "logfile is not allowed in config setup: the mesh allows only crl-strict, crlcheckinterval, plutodebug, shuntlifetime there")]
    // Without a positive crlcheckinterval pluto has no CRL check the agent can trigger: a new CRL would wait for NSS's cache.
    [InlineData("\tcrlcheckinterval=600\n", "\tcrlcheckinterval=0\n", "crlcheckinterval=0 is not allowed: crlcheckinterval must be a positive duration of at least 1s")]
    [InlineData("\tcrlcheckinterval=600\n", "\tcrlcheckinterval=0s\n", "crlcheckinterval=0s is not allowed")]
    [InlineData("\tcrlcheckinterval=600\n", "\tcrlcheckinterval=500ms\n", "crlcheckinterval=500ms is not allowed")]
    [InlineData("\tcrlcheckinterval=600\n", "\tcrlcheckinterval=soon\n", "crlcheckinterval=soon is not allowed")]
    [InlineData("\tshuntlifetime=5m\n", "\tshuntlifetime=soon\n", "shuntlifetime=soon is not allowed: shuntlifetime must be a duration such as 500ms, 90s, 2m or 1h")]
    [InlineData("\tshuntlifetime=5m\n", "\tshuntlifetime=5m\n\tplutodebug=all;rm\n", "plutodebug=all;rm is not allowed")]
    [InlineData("\tshuntlifetime=5m\n", "\tshuntlifetime 5m\n", "an indented line must be 'keyword=value'")]
    [InlineData("\tshuntlifetime=5m\n", "\tshuntlifetime=5m\n\tshuntlifetime=1m\n", "'shuntlifetime' is set twice in the same section")]
    [InlineData("\ttype=reject\n", "\ttype=passthrough\n", "type=passthrough is not allowed: type must be one of reject, drop")]
    public void Refuses_a_template_naming_the_line(string find, string replace, string expected)
    {
        var template = Edit(find, replace);
        var line = FirstChangedLine(template);

        var errors = Errors(template);

        Assert.Contains(errors, e => e.StartsWith($"{Label}:{line}: ", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_required_setting_names_the_conn()
    {
        var errors = Errors(Edit("\tfailureshunt=drop\n", ""));

        Assert.Contains(errors, e => e.Contains("conn private must set failureshunt (one of drop, reject)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("600")]
    [InlineData("10m")]
    [InlineData("1000ms")]
    [InlineData("1h")]
    public void A_positive_crlcheckinterval_is_allowed(string value)
    {
        Assert.Empty(Errors(Edit("\tcrlcheckinterval=600\n", $"\tcrlcheckinterval={value}\n")));
    }

    [Fact]
    public void A_config_setup_without_crlcheckinterval_or_no_config_setup_at_all_is_refused()
    {
        var withoutInterval = Edit("\tcrlcheckinterval=600\n", "");
        var setupLine = withoutInterval.Split('\n').ToList().FindIndex(l => l.StartsWith("config setup", StringComparison.Ordinal)) + 1;
        var withoutSetup = string.Join('\n', withoutInterval.Split('\n').Where(l => !l.StartsWith("config setup", StringComparison.Ordinal) && !l.StartsWith("\tshuntlifetime", StringComparison.Ordinal)));

        Assert.Contains($"{Label}:{setupLine}: config setup must set crlcheckinterval (a positive duration of at least 1s such as 600, 10m or 1h)", Errors(withoutInterval));
        Assert.Contains($"{Label}: the template has no 'config setup': it must set crlcheckinterval (a positive duration of at least 1s such as 600, 10m or 1h)", Errors(withoutSetup));
    }

    [Fact]
    public void A_missing_conn_and_a_doubled_section_are_reported()
    {
        var template = PolicyFiles.Template.Replace("conn block", "conn clear", StringComparison.Ordinal);

        var errors = Errors(template);

        Assert.Contains(errors, e => e.EndsWith("'conn clear' appears twice", StringComparison.Ordinal));
        Assert.Contains($"{Label}: the template has no 'conn block'", errors);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var template = Edit("\tnegotiationshunt=hold\n\tfailureshunt=drop", "\tnegotiationshunts=hold\n\tfailureshunt=drop")
            .Replace("\tleftcert=ipsec-mesh-host\n", "\tleftcert=ipsec-mesh-host\n\tleftid=%fromcert\n", StringComparison.Ordinal);

        var errors = Errors(template);

        Assert.Contains(errors, e => e.Contains("'negotiationshunts' is not a libreswan keyword", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("leftid is not allowed", StringComparison.Ordinal));
        // The typo also leaves conn private without its negotiationshunt.
        Assert.Contains(errors, e => e.Contains("conn private must set negotiationshunt", StringComparison.Ordinal));
    }

    private static List<string> Errors(string template)
    {
        var errors = new List<PolicyError>();
        ConnTemplate.Validate(template, Label, errors);
        return [.. errors.Select(e => e.ToString())];
    }

    /// <summary>The shipped template with its first occurrence of <paramref name="find"/> replaced.</summary>
    private static string Edit(string find, string replace)
    {
        var template = PolicyFiles.Template;
        var at = template.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the shipped template no longer contains '{find}'");
        return template[..at] + replace + template[(at + find.Length)..];
    }

    /// <summary>The line the error should name: the first line that differs from the shipped template.</summary>
    private static int FirstChangedLine(string template)
    {
        var edited = template.Split('\n');
        var shipped = PolicyFiles.Template.Split('\n');
        return Enumerable.Range(0, edited.Length).First(i => i >= shipped.Length || edited[i] != shipped[i]) + 1;
    }
}
