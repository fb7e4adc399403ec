using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// At start, before anything is sent: the agent document exists, is a Command document, and its
/// default version holds exactly this build's agent for this bucket and region (one DescribeDocument,
/// one GetDocument). Otherwise the controller stops with the reason: it never creates documents (a
/// role that may create and run documents may run anything as root on every host).
/// </summary>
public sealed class AgentDocumentCheck(
    IAmazonSimpleSystemsManagement ssm,
    AgentDocumentBinding binding,
    IpsecMeshOptions options,
    ILogger<AgentDocumentCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var name = binding.Name;
        DocumentDescription description;
        try
        {
            var described = await ssm.DescribeDocumentAsync(new DescribeDocumentRequest { Name = name }, cancellationToken);
            description = described.Document;
        }
        catch (InvalidDocumentException)
        {
            throw Refuse($"the SSM document {name} does not exist. The controller runs the host agent only as the Command document of its stack, named after the agent it was built with, "
                + "and never creates one: deploy deploy/ipsec-mesh.yaml of this version (aws cloudformation deploy … --s3-bucket …), or create it with `ipsec-mesh agent document --out DIR` and `aws ssm create-document`");
        }
        if (description.DocumentType != DocumentType.Command) throw Refuse($"the SSM document {name} is a {description.DocumentType} document, not a Command document");
        if (description.Status != DocumentStatus.Active) throw Refuse($"the SSM document {name} is {description.Status}, not Active");
        var version = description.DefaultVersion ?? "$DEFAULT";
        var content = await ssm.GetDocumentAsync(new GetDocumentRequest
        {
            Name = name,
            DocumentVersion = version,
            DocumentFormat = DocumentFormat.JSON,
        }, cancellationToken);
        var region = options.Region ?? ssm.Config.RegionEndpoint?.SystemName ?? ssm.Config.AuthenticationRegion
            ?? throw Refuse("no AWS region is set: the agent document names the bucket's regional endpoint");
        var expected = AgentDocument.Build(AgentScript.Content, new InputsLocation(options.Bucket ?? "", region));
        JsonNode? stored;
        try
        {
            stored = JsonNode.Parse(content.Content ?? "");
        }
        catch (JsonException)
        {
            throw Refuse($"the SSM document {name} (version {version}) is not JSON");
        }
        if (DocumentComparison.FirstDifference(expected, stored) is { } difference)
            throw Refuse($"the SSM document {name} (version {version}) does not hold this build's agent for bucket {options.Bucket} in {region}: {difference}. "
                + "Deploy the stack of this version, or run the controller image the stack was built with");
        binding.Version = version;
        CloudLog.AgentDocumentVerified(logger, name, version, description.Hash ?? "");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private AgentDocumentException Refuse(string reason)
    {
        CloudLog.AgentDocumentRefused(logger, reason);
        return new AgentDocumentException(reason);
    }
}
