using System.CommandLine;
using IpsecMesh.Cli;

namespace IpsecMesh.Integration.Tests.Cli;

/// <summary>
/// The <c>ipsec-mesh</c> command line, parsed only (nothing runs): every verb's options bind to typed values, values out of
/// range and options that do not belong are usage errors naming the option, and every verb has generated help.
/// </summary>
public sealed class CommandLineParserTests
{
    private static readonly IpsecMeshCli Cli = new(TextWriter.Null, new CaCommand(() => false, TextWriter.Null));

    private static ParseResult Valid(params string[] args)
    {
        var parsed = Cli.Parse(args);
        Assert.True(parsed.Errors.Count == 0, $"{string.Join(' ', args)}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        return parsed;
    }

    private static string Invalid(params string[] args)
    {
        var parsed = Cli.Parse(args);
        Assert.True(parsed.Errors.Count > 0, $"{string.Join(' ', args)} parsed without an error");
        return string.Join("; ", parsed.Errors.Select(e => e.Message));
    }

    public static TheoryData<string> Verbs() =>
        ["run", "status", "ca", "ca init", "ca import", "ca rotate", "ca show", "config", "config validate", "agent", "agent document",
            "agent script", "simulate", "healthcheck"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_has_generated_help_and_exits_zero(string verb)
    {
        var output = new StringWriter();
        var parsed = Cli.Parse([.. verb.Split(' '), "--help"]);

        var exit = await parsed.InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains($"ipsec-mesh {verb}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_takes_leader_election_and_nothing_else()
    {
        Assert.True(Valid("run", "--leader-election").GetValue<bool>("--leader-election"));
        Assert.False(Valid("run").GetValue<bool>("--leader-election"));
        Assert.Contains("--leader", Invalid("run", "--leader"), StringComparison.Ordinal);
    }

    [Fact]
    public void Status_takes_json()
    {
        Assert.True(Valid("status", "--json").GetValue<bool>("--json"));
        Assert.Contains("--verbose", Invalid("status", "--verbose"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ca_needs_an_action_and_each_action_its_own_options()
    {
        Invalid("ca");
        Invalid("ca", "destroy");
        var init = Valid("ca", "init", "--if-missing", "--backup", "k.pem", "--backup-password-file", "k.pw", "--json");
        Assert.True(init.GetValue<bool>("--if-missing"));
        Assert.Equal("k.pem", init.GetValue<string?>("--backup"));
        Assert.Equal("k.pw", init.GetValue<string?>("--backup-password-file"));
        Assert.Contains("--key", Invalid("ca", "import", "--cert", "c.pem"), StringComparison.Ordinal);
        Assert.Equal("c.pem", Valid("ca", "import", "--cert", "c.pem", "--key", "k.pem").GetValue<string>("--cert"));
        Assert.Equal("alias/new", Valid("ca", "rotate", "--kms-key", "alias/new").GetValue<string?>("--kms-key"));
        Assert.Contains("--if-missing", Invalid("ca", "rotate", "--if-missing"), StringComparison.Ordinal);
        Assert.True(Valid("ca", "show", "--json").GetValue<bool>("--json"));
    }

    [Fact]
    public void Config_validate_takes_at_most_one_existing_directory()
    {
        Assert.Null(Valid("config", "validate").GetValue<string?>("DIR"));
        var dir = Directory.CreateTempSubdirectory("ipsec-mesh-cli-").FullName;
        try
        {
            Assert.Equal(dir, Valid("config", "validate", dir, "--json").GetValue<string?>("DIR"));
            Invalid("config", "validate", dir, dir);
        }
        finally
        {
            Directory.Delete(dir);
        }
        Assert.Contains("is not a directory", Invalid("config", "validate", "/no/such/policy"), StringComparison.Ordinal);
        Invalid("config");
    }

    [Fact]
    public void Agent_document_needs_bucket_and_region_unless_cloudformation_or_stack_goes_alone()
    {
        var parsed = Valid("agent", "document", "--bucket", "b", "--region", "eu-west-1", "--out", "/tmp/x");
        Assert.Equal("b", parsed.GetValue<string?>("--bucket"));
        Assert.Equal("/tmp/x", parsed.GetValue<string?>("--out"));
        Valid("agent", "document", "--cloudformation");
        Valid("agent", "document", "--stack", "deploy/ipsec-mesh.yaml");
        Valid("agent", "script");
        var missing = Invalid("agent", "document", "--json");
        Assert.Contains("--bucket is required", missing, StringComparison.Ordinal);
        Assert.Contains("--region is required", missing, StringComparison.Ordinal);
        Assert.Contains("each go alone", Invalid("agent", "document", "--cloudformation", "--bucket", "b"), StringComparison.Ordinal);
        Invalid("agent", "script", "--json");
        Invalid("agent");
    }

    [Fact]
    public void Simulate_options_are_typed_and_range_checked()
    {
        var parsed = Valid("simulate", "--instances", "200", "--seed", "7", "--faults", "chaos", "--throttle", "none", "--speed", "2.5",
            "--timeout", "60", "--export", "out", "--listen", "--json", "--verbose");
        Assert.Equal(200, parsed.GetValue<int?>("--instances"));
        Assert.Equal(2.5, parsed.GetValue<double?>("--speed"));
        Assert.Equal("chaos", parsed.GetValue<string>("--faults"));
        Assert.Equal("aws", Valid("simulate").GetValue<string>("--throttle"));
        Assert.Contains("--instances '0' must be a whole number from 1 to 100000", Invalid("simulate", "--instances", "0"), StringComparison.Ordinal);
        Assert.Contains("--instances '100001'", Invalid("simulate", "--instances", "100001"), StringComparison.Ordinal);
        Assert.Contains("--speed '0.5' must be a number from 1 to 10000", Invalid("simulate", "--speed", "0.5"), StringComparison.Ordinal);
        Assert.Contains("--speed 'fast'", Invalid("simulate", "--speed", "fast"), StringComparison.Ordinal);
        Assert.Contains("--timeout '0'", Invalid("simulate", "--timeout", "0"), StringComparison.Ordinal);
        Assert.Contains("--seed 'x'", Invalid("simulate", "--seed", "x"), StringComparison.Ordinal);
        Invalid("simulate", "--faults", "some");
        Assert.Contains("--port goes only with --serve", Invalid("simulate", "--port", "4566"), StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_serve_takes_its_own_options_and_refuses_the_runs()
    {
        var parsed = Valid("simulate", "--serve", "--port", "0", "--instances", "0", "--tag", "IPSec=todo", "--tag", "Team=a=b",
            "--state", "s", "--env-file", "e", "--empty", "--no-ca", "--speed", "1", "--throttle", "none");
        Assert.Equal(0, parsed.GetValue<int?>("--port"));
        Assert.Equal(new Dictionary<string, string> { ["IPSec"] = "todo", ["Team"] = "a=b" }, SimulateCommand.Tags(parsed.GetValue<string[]>("--tag")));
        Assert.Contains("--tag '=x' must be KEY=VALUE", Invalid("simulate", "--serve", "--tag", "=x"), StringComparison.Ordinal);
        Assert.Contains("--port '65536'", Invalid("simulate", "--serve", "--port", "65536"), StringComparison.Ordinal);
        Assert.Contains("--json does not go with --serve", Invalid("simulate", "--serve", "--json"), StringComparison.Ordinal);
        Assert.Contains("--faults does not go with --serve", Invalid("simulate", "--serve", "--faults", "chaos"), StringComparison.Ordinal);
    }

    [Fact]
    public void Healthcheck_port_is_a_port()
    {
        var parsed = Valid("healthcheck", "--port", "9090", "--ready", "--json");
        Assert.Equal(9090, parsed.GetValue<int?>("--port"));
        Assert.True(parsed.GetValue<bool>("--ready"));
        Assert.Null(Valid("healthcheck").GetValue<int?>("--port"));
        Assert.Contains("--port '0' must be a whole number from 1 to 65535", Invalid("healthcheck", "--port", "0"), StringComparison.Ordinal);
        Assert.Contains("--port 'http'", Invalid("healthcheck", "--port=http"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, new string[0])]
    [InlineData(0, new[] { "--help" })]
    [InlineData(0, new[] { "help" })]
    [InlineData(2, new[] { "frobnicate" })]
    [InlineData(2, new[] { "status", "--no-such-option" })]
    [InlineData(2, new[] { "simulate", "--instances", "many" })]
    [InlineData(2, new[] { "ca" })]
    [InlineData(2, new[] { "ca", "init", "--backup" })]
    [InlineData(2, new[] { "config", "validate", "--json", "--help-me" })]
    public async Task Exit_codes_of_usage_errors_and_help(int expected, string[] args)
    {
        var errors = new StringWriter();
        var exit = await new IpsecMeshCli(errors, new CaCommand(() => false, TextWriter.Null)).RunAsync(args);

        Assert.Equal(expected, exit);
        if (exit == 2 && args.Length > 0) Assert.Contains("see: ipsec-mesh", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verb_that_fails_inside_reports_one_line_and_exits_one_instead_of_crashing()
    {
        var errors = new StringWriter();

        // No directory can be made under /proc (not even by root): the write fails inside the verb.
        var exit = await new IpsecMeshCli(errors, new CaCommand(() => false, TextWriter.Null))
            .RunAsync(["agent", "document", "--bucket", "b", "--region", "us-east-1", "--out", "/proc/ipsec-mesh-no-such-dir"]);

        Assert.Equal(1, exit);
        Assert.StartsWith("ipsec-mesh agent document: failed: ", errors.ToString(), StringComparison.Ordinal);
        Assert.Single(errors.ToString().Trim().Split('\n'));
    }
}
