using System.Text;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// The agent as the SSM document runs it: the request envelope as main's base64 argument, its files
/// in the input file the download step put under the state directory, checked against the SHA-256
/// the envelope names before anything runs.
/// </summary>
public class DocumentRequestTests
{
    private static AgentResult Single(ProcessResult result) => Assert.Single(AgentResult.ParseAll(result.Stdout));

    private static AgentRequest CertificateRequest() => AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]>
    {
        ["host.crt"] = "not a certificate"u8.ToArray(),
        ["ca-bundle.pem"] = "not a bundle"u8.ToArray(),
    });

    [Fact]
    public async Task The_envelope_argument_runs_its_verbs_and_reads_its_files_from_the_input_file()
    {
        Prerequisites.Require("flock", "openssl", "certutil");
        using var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();

        var status = await sandbox.RunAsDocumentAsync(AgentRequest.For(AgentVerbs.Status));
        var certificate = await sandbox.RunAsDocumentAsync(CertificateRequest());

        Assert.True(Single(status).Ok, status.ToString());
        // The files reached the verb: it found host.crt and ca-bundle.pem and judged the certificate itself.
        Assert.Equal(("install-cert", "bad_certificate"), (Single(certificate).Verb, Single(certificate).Code));
    }

    [Fact]
    public async Task A_missing_input_file_fails_inputs_failed_before_any_verb_runs()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunAsDocumentAsync(CertificateRequest(), placeInputs: false);

        Assert.Equal(("request", false, "inputs_failed"), (Single(result).Verb, Single(result).Ok, Single(result).Code));
        Assert.Contains("was not downloaded", Single(result).Error, StringComparison.Ordinal);
        Assert.Equal(13, result.ExitCode);
    }

    [Fact]
    public async Task An_input_file_of_another_hash_is_refused_however_well_formed()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();
        var payload = CertificateRequest().ToPayload();
        Directory.CreateDirectory(sandbox.InputsDir);
        // What a writer of hosts/ could put there: well-formed file lines, under the name the request expects.
        File.WriteAllText(Path.Combine(sandbox.InputsDir, payload.Inputs!.Sha256), "file host.crt " + Convert.ToBase64String("forged"u8.ToArray()) + "\n");

        var result = await sandbox.RunWithArgumentAsync(Convert.ToBase64String(Encoding.ASCII.GetBytes(payload.Envelope)));

        Assert.Equal("inputs_failed", Single(result).Code);
        Assert.Contains("another SHA-256", Single(result).Error, StringComparison.Ordinal);
        Assert.Equal(13, result.ExitCode);
    }

    [Theory]
    [InlineData("verb status\n")]
    [InlineData("param configHash $(reboot)\n")]
    [InlineData("inputs 0000000000000000000000000000000000000000000000000000000000000000\n")]
    public async Task An_input_file_holds_file_lines_only(string line)
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();
        var content = Encoding.ASCII.GetBytes(line);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        Directory.CreateDirectory(sandbox.InputsDir);
        File.WriteAllBytes(Path.Combine(sandbox.InputsDir, sha), content);

        var result = await sandbox.RunWithArgumentAsync(Convert.ToBase64String(Encoding.ASCII.GetBytes($"protocol 1\nverb status\ninputs {sha}\n")));

        Assert.Equal(("request", "bad_request"), (Single(result).Verb, Single(result).Code));
        Assert.Equal(2, result.ExitCode);
    }

    [Theory]
    [InlineData("cHJvdG9jb2wgMQp2ZXJiIHN0YXR1cwo")]
    [InlineData("cHJvdG9jb2wgMQp2ZXJiIHN0YXR1cwo=';reboot;'")]
    [InlineData("")]
    public async Task An_argument_that_is_not_whole_base64_fails_bad_request(string argument)
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunWithArgumentAsync(argument);

        Assert.Equal(("request", "bad_request"), (Single(result).Verb, Single(result).Code));
    }

    [Fact]
    public async Task Input_files_older_than_an_hour_are_removed_and_newer_ones_kept()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();
        Directory.CreateDirectory(sandbox.InputsDir);
        var old = Path.Combine(sandbox.InputsDir, new string('a', 64));
        var recent = Path.Combine(sandbox.InputsDir, new string('b', 64));
        File.WriteAllText(old, "");
        File.WriteAllText(recent, "");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddMinutes(-61));
        File.SetLastWriteTimeUtc(recent, DateTime.UtcNow.AddMinutes(-59));

        Assert.True(Single(await sandbox.RunAsDocumentAsync(AgentRequest.For(AgentVerbs.Status))).Ok);

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent));
    }
}
