using IpsecMesh.Cli;
using IpsecMesh.Integration.Tests.Support;

namespace IpsecMesh.Integration.Tests.Cli;

/// <summary>`config validate` also runs libreswan's own parser on the template where libreswan is installed (CI installs it).</summary>
public class LibreswanCheckTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Libreswan_names_the_line_of_a_misspelt_keyword_and_accepts_the_shipped_template()
    {
        var addconn = LibreswanCheck.Locate();
        Assert.SkipWhen(addconn is null, "libreswan is not installed here (tests/prerequisites.sh installs it)");
        var template = PolicyUploads.DefaultPolicyFiles()["ipsec-mesh.conf"];

        Assert.Empty(await LibreswanCheck.CheckAsync(addconn!, template, "config/ipsec-mesh.conf", Token));

        var typo = template.Replace("\tnegotiationshunt=hold\n\tfailureshunt=drop", "\tnegotiationshunts=hold\n\tfailureshunt=drop", StringComparison.Ordinal);
        var line = typo.Split('\n').ToList().FindIndex(l => l.Contains("negotiationshunts", StringComparison.Ordinal)) + 1;
        var error = Assert.Single(await LibreswanCheck.CheckAsync(addconn!, typo, "config/ipsec-mesh.conf", Token));
        Assert.Equal(("config/ipsec-mesh.conf", line), (error.File, error.Line));
        Assert.Contains("negotiationshunts", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cannot load config 'T': T:59: syntax error [negotiationshunts]", 1, 59, "libreswan: syntax error [negotiationshunts]")]
    [InlineData("ERROR: T: 60: keyword failureshunt, invalid value: dorp", 1, 60, "libreswan: keyword failureshunt, invalid value: dorp")]
    [InlineData("something odd", 3, 0, "libreswan's parser refused the template (exit 3): something odd")]
    [InlineData("ipsec addconn: T:26: warning: invalid, keyword ignored: failureshunt=dropp", 0, 26, "libreswan: warning: invalid, keyword ignored: failureshunt=dropp")]
    [InlineData("ipsec addconn: cannot find conn 'ipsec-mesh-bas' needed by conn 'private'", 0, 0, "libreswan's parser refused the template (exit 0): ipsec addconn: cannot find conn 'ipsec-mesh-bas' needed by conn 'private'")]
    public void Libreswan_messages_become_errors_with_file_and_line(string output, int exitCode, int line, string message)
    {
        var error = Assert.Single(LibreswanCheck.Errors(output, exitCode, "T"));

        Assert.Equal(("T", line, message), (error.File, error.Line, error.Message));
    }
}
