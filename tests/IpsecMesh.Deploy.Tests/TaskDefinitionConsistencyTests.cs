using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests;

/// <summary>deploy/task-definition.json is for users without the stack; it must describe the same task.</summary>
public class TaskDefinitionConsistencyTests
{
    private static readonly Template Stack = Template.Load(RepositoryFiles.Stack);
    private static readonly IReadOnlyDictionary<string, object?> Standalone = Node.Map(JsonValues.Parse(File.ReadAllText(RepositoryFiles.TaskDefinition)));
    private static readonly TemplateResource StackTask = Stack.Resource("TaskDefinition");

    public static TheoryData<string> ContainerNames => ["controller", "otel-collector"];

    [Fact]
    public void Both_run_the_same_containers()
    {
        Assert.Equal(
            StackContainers().Keys.Order(StringComparer.Ordinal),
            StandaloneContainers().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Both_are_fargate_tasks_of_the_same_size_with_both_roles()
    {
        Assert.Equal(Texts(StackTask.Property("RequiresCompatibilities")), Texts(Standalone["requiresCompatibilities"]));
        Assert.Equal(Node.Text(StackTask.Property("NetworkMode")), Node.Text(Standalone["networkMode"]));
        Assert.Equal(ParameterDefault("TaskCpu"), Node.Text(Standalone["cpu"]));
        Assert.Equal(ParameterDefault("TaskMemory"), Node.Text(Standalone["memory"]));
        Assert.NotNull(StackTask.Property("ExecutionRoleArn"));
        Assert.NotNull(StackTask.Property("TaskRoleArn"));
        Assert.Matches("^arn:aws:iam::[A-Z_0-9]+:role/", Node.Text(Standalone["executionRoleArn"]));
        Assert.Matches("^arn:aws:iam::[A-Z_0-9]+:role/", Node.Text(Standalone["taskRoleArn"]));
        Assert.NotEqual(Node.Text(Standalone["executionRoleArn"]), Node.Text(Standalone["taskRoleArn"]));
    }

    [Theory]
    [MemberData(nameof(ContainerNames))]
    public void Containers_have_the_same_environment_names(string container) =>
        Assert.Equal(
            Names(StackContainers()[container], "Environment", "Name"),
            Names(StandaloneContainers()[container], "environment", "name"));

    [Theory]
    [MemberData(nameof(ContainerNames))]
    public void Containers_have_the_same_secret_names(string container) =>
        Assert.Equal(
            Names(StackContainers()[container], "Secrets", "Name"),
            Names(StandaloneContainers()[container], "secrets", "name"));

    [Theory]
    [MemberData(nameof(ContainerNames))]
    public void Containers_have_the_same_ports_command_user_and_mounts(string container)
    {
        var stack = StackContainers()[container];
        var standalone = StandaloneContainers()[container];

        Assert.Equal(Names(stack, "PortMappings", "ContainerPort"), Names(standalone, "portMappings", "containerPort"));
        Assert.Equal(Texts(Node.Get(stack, "Command")), Texts(Node.Get(standalone, "command")));
        Assert.Equal(Node.Text(Node.Get(stack, "User")), Node.Text(Node.Get(standalone, "user")));
        Assert.Equal(Node.Text(Node.Get(stack, "ReadonlyRootFilesystem")), Node.Text(Node.Get(standalone, "readonlyRootFilesystem")));
        Assert.Equal(Names(stack, "MountPoints", "ContainerPath"), Names(standalone, "mountPoints", "containerPath"));
        Assert.Equal(Names(stack, "DependsOn", "ContainerName"), Names(standalone, "dependsOn", "containerName"));
        Assert.Equal(
            Node.Text(Node.Get(Node.Get(stack, "LogConfiguration"), "LogDriver")),
            Node.Text(Node.Get(Node.Get(standalone, "logConfiguration"), "logDriver")));
    }

    [Fact]
    public void Controller_health_check_is_the_same_and_uses_the_cli()
    {
        var stack = Node.Map(Node.Get(StackContainers()["controller"], "HealthCheck"));
        var standalone = Node.Map(Node.Get(StandaloneContainers()["controller"], "healthCheck"));

        Assert.Equal(["CMD", "/app/ipsec-mesh", "healthcheck"], Texts(stack["Command"]));
        Assert.Equal(Texts(stack["Command"]), Texts(standalone["command"]));
        foreach (var field in new[] { "Interval", "Timeout", "Retries", "StartPeriod" })
        {
            Assert.Equal(Node.Text(stack[field]), Node.Text(standalone[char.ToLowerInvariant(field[0]) + field[1..]]));
        }
    }

    [Fact]
    public void Images_are_the_stack_parameters()
    {
        Assert.Equal("!Ref ContainerImage", Node.Render(Node.Get(StackContainers()["controller"], "Image")));
        Assert.Matches("/ipsec-mesh:[A-Za-z0-9._-]+$", Node.Text(Node.Get(StandaloneContainers()["controller"], "image")));
        Assert.Equal("!Ref CollectorImage", Node.Render(Node.Get(StackContainers()["otel-collector"], "Image")));
        Assert.Equal(ParameterDefault("CollectorImage"), Node.Text(Node.Get(StandaloneContainers()["otel-collector"], "image")));
    }

    private static Dictionary<string, object?> StackContainers() =>
        Node.List(StackTask.Property("ContainerDefinitions")).ToDictionary(c => Node.Text(Node.Get(c, "Name"))!, c => c, StringComparer.Ordinal);

    private static Dictionary<string, object?> StandaloneContainers() =>
        Node.List(Standalone["containerDefinitions"]).ToDictionary(c => Node.Text(Node.Get(c, "name"))!, c => c, StringComparer.Ordinal);

    private static string? ParameterDefault(string name) => Node.Text(Node.Get(Stack.Parameters[name], "Default"));

    private static List<string> Texts(object? list) => Node.OneOrMany(list).Select(Node.Render).ToList();

    private static List<string> Names(object? container, string listKey, string field) =>
        (Node.Get(container, listKey) is { } list ? Node.List(list) : [])
            .Select(item => Node.Render(Node.Get(item, field)))
            .Order(StringComparer.Ordinal)
            .ToList();
}
