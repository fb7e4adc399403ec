namespace IpsecMesh.Simulator.Sqs;

/// <summary>A standard queue: messages in arrival order, visibility timeouts, optional redrive to a dead-letter queue.</summary>
internal sealed class SimQueue(string name, string arn, TimeSpan visibilityTimeout)
{
    public string Name { get; } = name;
    public string Arn { get; } = arn;
    public TimeSpan VisibilityTimeout { get; set; } = visibilityTimeout;
    public SimQueue? DeadLetterQueue { get; set; }
    public int MaxReceiveCount { get; set; }
    /// <summary>Attributes set at creation that the simulator keeps but does not act on (SqsManagedSseEnabled, …).</summary>
    public Dictionary<string, string> OtherAttributes { get; } = new(StringComparer.Ordinal);
    public List<SqsMessage> Messages { get; } = [];
    /// <summary>Completed (and replaced) whenever a message is added or becomes visible again early.</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Signal()
    {
        var previous = Changed;
        Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
