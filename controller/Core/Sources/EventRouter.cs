using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.State;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// What an event means, decided in one place: an EC2 event marks the instance's snapshot stale and queues it (a change
/// of our tag also ends its backoff, so a user's <c>todo</c> or <c>off</c> is acted on at once), unless it is the echo
/// of the controller's own tag write (<see cref="InstanceStore.Echoes"/>); a Run Command status
/// change is a hint to the <see cref="CommandWatcher"/> (and the <see cref="HostHealthCollector"/>) that a command has output to read.
/// </summary>
public sealed class EventRouter(WorkQueue<string> queue, InstanceStore store, CommandWatcher commands, HostHealthCollector health, IpsecMeshOptions options, ILogger<EventRouter> logger)
{
    private readonly EventBridgeParser _parser = new(options.TagKey);

    /// <summary>True when the message (an EventBridge event as JSON) was handled; false, logged with its id, when it is malformed or foreign.</summary>
    public bool Route(string messageId, string body)
    {
        var parsed = _parser.Parse(body);
        if (parsed.Command is { } command)
        {
            commands.Notify(command);
            health.Notify(command);
            return true;
        }
        if (parsed.Event is not { } e)
        {
            SourcesLog.MessageRejected(logger, messageId, parsed.Error!);
            return false;
        }
        if (e.ChangedTags is { } changedTags && store.Echoes(e.InstanceId, changedTags))
        {
            SourcesLog.EchoIgnored(logger, messageId, e.InstanceId);
            return true;
        }
        store.MarkStale(e.InstanceId);
        if (e.ChangedOurTag)
        {
            // A user's tag change (todo again, off) is acted on at once, whatever backoff the instance had.
            queue.Forget(e.InstanceId);
        }
        queue.Add(e.InstanceId);
        SourcesLog.EventQueued(logger, messageId, e.Kind.ToString(), e.InstanceId);
        return true;
    }
}
