using System.Text.RegularExpressions;
using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests;

/// <summary>The Dockerfile and the compose loop keep the promises the docs make about them.</summary>
public partial class ContainerFilesTests
{
    private static readonly string[] DockerfileLines = File.ReadAllLines(RepositoryFiles.Dockerfile);

    [Fact]
    public void Final_image_is_the_runtime_not_the_sdk()
    {
        var stages = DockerfileLines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.True(stages.Count >= 2, "multi-stage build expected");
        Assert.Contains("/dotnet/sdk:10.0", stages[0], StringComparison.Ordinal);
        Assert.Matches("^FROM mcr.microsoft.com/dotnet/(aspnet|runtime|runtime-deps):10.0 ", stages[^1]);
    }

    [Fact]
    public void Restore_runs_before_the_sources_are_copied()
    {
        var restore = Array.FindIndex(DockerfileLines, l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var sources = Array.FindIndex(DockerfileLines, l => l.StartsWith("COPY controller/ ", StringComparison.Ordinal));

        Assert.InRange(restore, 0, sources - 1);
        Assert.All(DockerfileLines[..restore].Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)),
            copy => Assert.Matches(@"(\.csproj|\.props|global\.json|\.editorconfig) ", copy + " "));
    }

    [Fact]
    public void Runtime_stage_runs_as_non_root_with_the_cli_health_check()
    {
        var runtime = DockerfileLines[Array.FindLastIndex(DockerfileLines, l => l.StartsWith("FROM ", StringComparison.Ordinal))..];
        var user = runtime.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        var healthCheck = string.Join(' ', runtime.SkipWhile(l => !l.StartsWith("HEALTHCHECK", StringComparison.Ordinal)).Take(2));

        Assert.DoesNotMatch(@"^USER (root|0)\b", user);
        Assert.Contains("\"/app/ipsec-mesh\", \"healthcheck\"", healthCheck, StringComparison.Ordinal);
        Assert.DoesNotContain(runtime, l => l.StartsWith("ARG ", StringComparison.Ordinal) || SecretLike().IsMatch(l));
    }

    [Fact]
    public void Compose_pins_localstack_and_mounts_the_init_hook_as_a_ready_hook()
    {
        var localstack = Service("localstack");

        Assert.Equal("localstack/localstack:4.14.0", Node.Text(localstack["image"]));
        Assert.Contains(Node.List(localstack["volumes"]), v =>
            Node.Text(v) == "./deploy/localstack/init-aws.sh:/etc/localstack/init/ready.d/init-aws.sh:ro");
        Assert.True(File.Exists(RepositoryFiles.LocalStackInit));
    }

    [Fact]
    public void Compose_sim_profile_runs_the_simulator_and_the_controller_without_localstack()
    {
        var simulator = Service("simulator");
        var controller = Service("sim-controller");

        Assert.Equal("[sim]", Node.Render(simulator["profiles"]));
        Assert.Equal("[sim]", Node.Render(controller["profiles"]));
        Assert.StartsWith("[simulate, --serve, --port, 4566", Node.Render(simulator["command"]), StringComparison.Ordinal);
        Assert.Equal("service:simulator", Node.Text(controller["network_mode"]));
        Assert.Equal("service_healthy", Node.Text(Node.Get(Node.Get(controller["depends_on"], "simulator"), "condition")));
        Assert.Equal("http://127.0.0.1:4566", Node.Text(Node.Map(controller["environment"])["AWS_ENDPOINT_URL"]));
        Assert.Equal("[localstack]", Node.Render(Service("localstack")["profiles"]));
    }

    [Fact]
    public void Compose_bootstraps_the_ca_once_before_the_controller_starts()
    {
        // --if-missing: a second `up` against an account that holds a CA exits 0, so the controller still starts.
        Assert.Equal("[ca, init, --if-missing]", Node.Render(Service("ca-init")["command"]));
        Assert.Equal("service_completed_successfully", Node.Text(Node.Get(Node.Get(Service("controller")["depends_on"], "ca-init"), "condition")));
        Assert.Equal("[run]", Node.Render(Service("controller")["command"]));
    }

    [Fact]
    public void Compose_settings_are_contract_names_that_match_the_init_hook()
    {
        var environment = Node.Map(Service("controller")["environment"]);
        var init = File.ReadAllText(RepositoryFiles.LocalStackInit);

        Assert.All(environment.Keys.Where(k => k.StartsWith("IpsecMesh__", StringComparison.Ordinal)), key =>
            Assert.Contains(key["IpsecMesh__".Length..], KnownSettings));
        Assert.Contains("bucket=" + Node.Text(environment["IpsecMesh__Bucket"]), init, StringComparison.Ordinal);
        Assert.EndsWith("/" + Regex.Match(init, "--queue-name (ipsec-mesh-events) ").Groups[1].Value, Node.Text(environment["IpsecMesh__QueueUrl"]), StringComparison.Ordinal);
        Assert.Contains(Node.Text(environment["IpsecMesh__CaKmsKeyId"])!.Replace("alias/", "make_key ", StringComparison.Ordinal), init, StringComparison.Ordinal);
        Assert.Contains(Node.Text(environment["IpsecMesh__HostKmsKeyId"])!.Replace("alias/", "make_key ", StringComparison.Ordinal), init, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_creates_the_agent_document_of_the_build_for_the_controllers_bucket_before_LocalStack_starts()
    {
        var environment = Node.Map(Service("controller")["environment"]);
        var command = Node.List(Service("agent-document")["command"]).Select(Node.Render).ToList();
        var localStack = Service("localstack");
        var init = File.ReadAllText(RepositoryFiles.LocalStackInit);

        Assert.Equal(["agent", "document"], command.Take(2));
        Assert.Equal(Node.Text(environment["IpsecMesh__Bucket"]), command[command.IndexOf("--bucket") + 1]);
        Assert.Equal(Node.Text(environment["IpsecMesh__Region"]), command[command.IndexOf("--region") + 1]);
        Assert.Equal("service_completed_successfully", Node.Render(Node.Get(Node.Get(localStack["depends_on"], "agent-document"), "condition")));
        var mount = Node.List(localStack["volumes"]).Select(Node.Render).Single(v => v.StartsWith("agent-document:", StringComparison.Ordinal));
        Assert.Contains("agent_documents=${IPSEC_MESH_AGENT_DOCUMENTS:-" + mount.Split(':')[1] + "}", init, StringComparison.Ordinal);
        Assert.Contains("ssm create-document", init, StringComparison.Ordinal);
    }

    private static readonly string[] KnownSettings =
    [
        "TagKey", "Region", "VpcId", "QueueUrl", "Bucket", "CaKmsKeyId", "HostKmsKeyId", "BucketKmsKeyId", "SsmDocument", "ResyncInterval",
        "Workers", "CertificateLifetime", "RenewAfter", "EnrolmentMode", "HealthPort", "LeaderElection__Enabled",
    ];

    private static IReadOnlyDictionary<string, object?> Service(string name) =>
        Node.Map(Node.Map(CloudFormationYaml.Load(RepositoryFiles.Compose), "services")[name]);

    [GeneratedRegex(@"(?i)(password|secret|token|private[_-]?key)\s*=")]
    private static partial Regex SecretLike();
}
