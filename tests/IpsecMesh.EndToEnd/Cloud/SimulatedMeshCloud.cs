using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.Simulator;

namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>The simulated AWS as the scenarios use it: EC2 tags and the SSM agent through the fleet, S3 and SSM through the real clients.</summary>
public sealed class SimulatedMeshCloud(SimulatedAws aws, IReadOnlyDictionary<string, SimInstance> instances, IAmazonS3 s3, IAmazonSimpleSystemsManagement ssm) : IMeshCloud
{
    public string InstanceIdOf(GuestHost host) => instances[host.Name].InstanceId;

    public IReadOnlyDictionary<string, string> TagsOf(GuestHost host) => instances[host.Name].Tags;

    public void SetMeshTag(GuestHost host, string value) => aws.Fleet.SetTag(instances[host.Name].InstanceId, MeshTags.Key, value);

    public void SetAgentRunning(GuestHost host, bool running)
    {
        if (running) aws.Fleet.StartAgent(InstanceIdOf(host));
        else aws.Fleet.StopAgent(InstanceIdOf(host));
    }

    public string RegisterManagedInterface(GuestHost host, string interfaceType, string description) =>
        aws.Fleet.AddManagedInterface(interfaceType, description, instances.Values.First().VpcId, address: host.Address).NetworkInterfaceId;

    public void Terminate(GuestHost host) => aws.Fleet.Terminate(InstanceIdOf(host));

    public async Task UploadPolicyAsync(MeshPolicy policy, CancellationToken cancellationToken)
    {
        foreach (var (name, content) in policy.Files)
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "config/" + name, ContentBody = content }, cancellationToken);
    }

    public async Task<IReadOnlyList<CommandRun>> CommandsOfAsync(GuestHost host, CancellationToken cancellationToken)
    {
        var runs = new List<CommandRun>();
        await foreach (var invocation in InvocationsAsync(new ListCommandInvocationsRequest { InstanceId = InstanceIdOf(host) }, cancellationToken))
        {
            // The document's steps (the input file's download, then the agent): the command ran from the first
            // step's start to the last step's end.
            var plugins = invocation.CommandPlugins ?? [];
            var started = plugins.Where(p => p.ResponseStartDateTime is not null).Select(p => p.ResponseStartDateTime!.Value).DefaultIfEmpty().Min();
            var finished = plugins.Where(p => p.ResponseFinishDateTime is not null).Select(p => p.ResponseFinishDateTime!.Value).DefaultIfEmpty().Max();
            runs.Add(new CommandRun(invocation.CommandId ?? "", invocation.Comment ?? "", new DateTimeOffset(invocation.RequestedDateTime ?? DateTime.MinValue, TimeSpan.Zero),
                started == default ? null : new DateTimeOffset(started, TimeSpan.Zero),
                finished == default ? null : new DateTimeOffset(finished, TimeSpan.Zero),
                invocation.Status?.Value ?? ""));
        }
        return [.. runs.OrderBy(r => r.Requested)];
    }

    public async Task<DateTimeOffset?> CommandEndedAsync(string commandId, CancellationToken cancellationToken)
    {
        DateTimeOffset? last = null;
        await foreach (var invocation in InvocationsAsync(new ListCommandInvocationsRequest { CommandId = commandId }, cancellationToken))
        {
            var ends = (invocation.CommandPlugins ?? []).Select(p => p.ResponseFinishDateTime).ToList();
            if (ends.Count == 0 || ends.Any(e => e is null)) return null;
            var end = new DateTimeOffset(ends.Max()!.Value, TimeSpan.Zero);
            if (last is null || end > last) last = end;
        }
        return last;
    }

    /// <summary>Every invocation the request selects, with its steps (ListCommandInvocations, 50 a page).</summary>
    private async IAsyncEnumerable<CommandInvocation> InvocationsAsync(ListCommandInvocationsRequest request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request.Details = true;
        request.MaxResults = 50;
        do
        {
            var page = await ssm.ListCommandInvocationsAsync(request, cancellationToken);
            foreach (var invocation in page.CommandInvocations ?? []) yield return invocation;
            request.NextToken = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (request.NextToken is not null);
    }
}
