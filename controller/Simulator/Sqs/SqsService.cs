using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.State;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.Sqs;

/// <summary>
/// SQS over JSON 1.0 (X-Amz-Target "AmazonSQS.*", what SDK v4 speaks): standard queues with long
/// polling on simulated time, visibility timeouts and redrive to a dead-letter queue.
/// </summary>
internal sealed class SqsService(TimeProvider time, SeededRandom random, FaultOptions faults, string region, string account) : JsonService
{
    private const int MaxBatch = 10;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, SimQueue> _queues = new(StringComparer.Ordinal);

    public override string Name => "sqs";

    protected override string TargetPrefix => "AmazonSQS";

    protected override string ContentType => "application/x-amz-json-1.0";

    protected override string ErrorTypePrefix => "com.amazonaws.sqs#";

    protected override string InternalErrorCode => "InternalError";

    /// <summary>Where the queue URLs of direct callers point (the loopback endpoint once listening); answers use the caller's own endpoint.</summary>
    public string BaseUrl { get; set; } = $"http://sqs.{region}.simulated.invalid/";

    public string UrlOf(string queueName) => $"{BaseUrl.TrimEnd('/')}/{account}/{queueName}";

    private string UrlOf(SimQueue queue, SimRequest request) =>
        request.Authority.Length > 0 ? $"http://{request.Authority}/{account}/{queue.Name}" : UrlOf(queue.Name);

    public string CreateQueue(string name, TimeSpan visibilityTimeout, string? deadLetterQueueName = null, int maxReceiveCount = 0)
    {
        lock (_sync)
        {
            var queue = new SimQueue(name, $"arn:aws:sqs:{region}:{account}:{name}", visibilityTimeout)
            {
                DeadLetterQueue = deadLetterQueueName is null ? null : _queues[deadLetterQueueName],
                MaxReceiveCount = maxReceiveCount,
            };
            _queues[name] = queue;
            return UrlOf(name);
        }
    }

    internal IReadOnlyList<QueueState> Export()
    {
        lock (_sync)
            return _queues.Values.Select(q => new QueueState(q.Name, q.Arn, (int)q.VisibilityTimeout.TotalSeconds, q.DeadLetterQueue?.Name, q.MaxReceiveCount,
                new Dictionary<string, string>(q.OtherAttributes, StringComparer.Ordinal),
                q.Messages.Select(m => new MessageState(m.MessageId, m.Body, m.Md5OfBody, m.MessageAttributes?.ToJsonString(), m.SentAt, m.VisibleAt,
                    m.ReceiveCount, m.FirstReceivedAt, m.ReceiptHandle)).ToArray())).ToArray();
    }

    internal void Import(IReadOnlyList<QueueState> queues)
    {
        lock (_sync)
        {
            foreach (var saved in queues)
            {
                var queue = new SimQueue(saved.Name, saved.Arn, TimeSpan.FromSeconds(saved.VisibilityTimeoutSeconds)) { MaxReceiveCount = saved.MaxReceiveCount };
                foreach (var (key, value) in saved.OtherAttributes) queue.OtherAttributes[key] = value;
                queue.Messages.AddRange(saved.Messages.Select(m => new SqsMessage
                {
                    MessageId = m.MessageId, Body = m.Body, Md5OfBody = m.Md5OfBody,
                    MessageAttributes = m.MessageAttributesJson is null ? null : JsonNode.Parse(m.MessageAttributesJson) as JsonObject,
                    SentAt = m.SentAt, VisibleAt = m.VisibleAt, ReceiveCount = m.ReceiveCount, FirstReceivedAt = m.FirstReceivedAt, ReceiptHandle = m.ReceiptHandle,
                }));
                _queues[saved.Name] = queue;
            }
            foreach (var saved in queues.Where(q => q.DeadLetterQueue is not null))
                _queues[saved.Name].DeadLetterQueue = _queues.GetValueOrDefault(saved.DeadLetterQueue!);
        }
    }

    /// <summary>The name of the queue with this ARN, or null.</summary>
    public string? QueueNameOfArn(string arn)
    {
        lock (_sync) return _queues.Values.FirstOrDefault(q => q.Arn == arn)?.Name;
    }

    public override string OperationOf(SimRequest request) =>
        SqsQueryProtocol.IsQuery(request)
            ? SqsQueryProtocol.Form(request).GetValueOrDefault("Action") ?? throw new AwsServiceException(400, "MissingAction", "The request must contain the parameter Action.")
            : base.OperationOf(request);

    public override async Task<SimResponse> HandleAsync(string operation, SimRequest request, CancellationToken cancellationToken)
    {
        if (!SqsQueryProtocol.IsQuery(request)) return await base.HandleAsync(operation, request, cancellationToken);
        var args = new JsonArgs(SqsQueryProtocol.ToJson(SqsQueryProtocol.Form(request)));
        var result = await InvokeAsync(operation, args, request, cancellationToken);
        return SqsQueryProtocol.Answer(operation, WithoutNulls(result), request.RequestId);
    }

    public override SimResponse FormatError(AwsServiceException error, SimRequest request) =>
        SqsQueryProtocol.IsQuery(request) ? SqsQueryProtocol.Error(error, request.RequestId) : base.FormatError(error, request);

    protected override void AddErrorHeaders(AwsServiceException error, SimResponse response) =>
        response.Headers["x-amzn-query-error"] = SqsErrors.QueryError(error);

    /// <summary>An EventBridge event reaching its SQS target, through the drop / duplicate / reorder faults.</summary>
    public void DeliverEvent(string queueName, string body)
    {
        if (random.Chance(faults.EventDropProbability)) return;
        var copies = random.Chance(faults.EventDuplicateProbability) ? 2 : 1;
        SimQueue? queue;
        lock (_sync) queue = _queues.GetValueOrDefault(queueName);
        if (queue is null) return; // EventBridge drops what it cannot deliver to a deleted target
        for (var i = 0; i < copies; i++) Enqueue(queue, body, null, TimeSpan.Zero, random.Chance(faults.EventReorderProbability));
    }

    /// <summary>Messages in a queue now (visible, in flight or delayed), for tests.</summary>
    public int Count(string queueName)
    {
        lock (_sync) return _queues[queueName].Messages.Count;
    }

    /// <summary>Message bodies in a queue, in queue order, without receiving them (for tests).</summary>
    public IReadOnlyList<string> Peek(string queueName)
    {
        lock (_sync) return _queues[queueName].Messages.Select(m => m.Body).ToArray();
    }

    protected override async Task<JsonObject> InvokeAsync(string operation, JsonArgs args, SimRequest request, CancellationToken cancellationToken) =>
        operation switch
        {
            "SendMessage" => SendMessage(args),
            "SendMessageBatch" => SendMessageBatch(args),
            "ReceiveMessage" => await ReceiveMessageAsync(args, cancellationToken),
            "DeleteMessage" => DeleteMessage(args),
            "DeleteMessageBatch" => DeleteMessageBatch(args),
            "ChangeMessageVisibility" => ChangeMessageVisibility(args),
            "GetQueueAttributes" => GetQueueAttributes(args),
            "SetQueueAttributes" => SetQueueAttributes(args),
            "GetQueueUrl" => new JsonObject { ["QueueUrl"] = UrlOf(Queue(args.RequiredString("QueueName")), request) },
            "ListQueues" => ListQueues(args, request),
            "CreateQueue" => CreateQueue(args, request),
            "DeleteQueue" => DeleteQueue(args),
            "PurgeQueue" => Purge(args),
            _ => throw UnknownOperation(operation),
        };

    private JsonObject SendMessage(JsonArgs args)
    {
        var queue = QueueOf(args);
        var body = args.RequiredString("MessageBody");
        return Send(queue, body, args);
    }

    private JsonObject Send(SimQueue queue, string body, JsonArgs args)
    {
        if (Encoding.UTF8.GetByteCount(body) > 262_144) throw InvalidParameter("MessageBody is longer than 262144 bytes");
        var delay = args.Int("DelaySeconds") ?? 0;
        if (delay is < 0 or > 900) throw InvalidParameter("DelaySeconds must be within 0..900");
        var attributes = args.Body["MessageAttributes"] as JsonObject;
        var message = Enqueue(queue, body, attributes, TimeSpan.FromSeconds(delay), reorder: false);
        var result = new JsonObject { ["MessageId"] = message.MessageId, ["MD5OfMessageBody"] = message.Md5OfBody };
        if (attributes is { Count: > 0 }) result["MD5OfMessageAttributes"] = MessageDigests.OfAttributes(attributes);
        return result;
    }

    private JsonObject SendMessageBatch(JsonArgs args)
    {
        var queue = QueueOf(args);
        var entries = BatchEntries(args);
        var successful = new JsonArray();
        var failed = new JsonArray();
        foreach (var entry in entries)
        {
            var id = entry["Id"]!.GetValue<string>();
            try
            {
                var entryArgs = new JsonArgs(entry);
                var sent = Send(queue, entryArgs.RequiredString("MessageBody"), entryArgs);
                sent["Id"] = id;
                successful.Add(sent);
            }
            catch (AwsServiceException e)
            {
                failed.Add(new JsonObject { ["Id"] = id, ["SenderFault"] = true, ["Code"] = e.Code, ["Message"] = e.Message });
            }
        }
        return new JsonObject { ["Successful"] = successful, ["Failed"] = failed };
    }

    /// <summary>A batch's entries, checked as SQS checks them: 1 to 10, distinct ids of up to 80 letters, digits, - and _.</summary>
    private static JsonObject[] BatchEntries(JsonArgs args)
    {
        var entries = args.Array("Entries").OfType<JsonObject>().ToArray();
        if (entries.Length == 0) throw new AwsServiceException(400, "EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.");
        if (entries.Length > MaxBatch) throw new AwsServiceException(400, "TooManyEntriesInBatchRequest", $"Maximum number of entries per request are {MaxBatch}.");
        var ids = entries.Select(e => e["Id"]?.GetValue<string>() ?? "").ToArray();
        if (ids.Any(id => id.Length is 0 or > 80 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new AwsServiceException(400, "InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
            throw new AwsServiceException(400, "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
        return entries;
    }

    private SqsMessage Enqueue(SimQueue queue, string body, JsonObject? attributes, TimeSpan delay, bool reorder)
    {
        var now = time.GetUtcNow();
        var message = new SqsMessage
        {
            MessageId = random.Guid().ToString(),
            Body = body,
            Md5OfBody = MessageDigests.OfBody(body),
            MessageAttributes = (JsonObject?)attributes?.DeepClone(),
            SentAt = now,
            VisibleAt = now + delay,
        };
        lock (_sync)
        {
            if (reorder && queue.Messages.Count > 0) queue.Messages.Insert(random.Next(queue.Messages.Count), message);
            else queue.Messages.Add(message);
            queue.Signal();
        }
        return message;
    }

    private async Task<JsonObject> ReceiveMessageAsync(JsonArgs args, CancellationToken cancellationToken)
    {
        var queue = QueueOf(args);
        var max = args.Int("MaxNumberOfMessages") ?? 1;
        if (max is < 1 or > MaxBatch) throw InvalidParameter($"Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        var wait = args.Int("WaitTimeSeconds") ?? 0;
        if (wait is < 0 or > 20) throw InvalidParameter($"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
        var visibility = args.Int("VisibilityTimeout") is { } v ? TimeSpan.FromSeconds(v) : queue.VisibilityTimeout;
        var wantAttributes = args.Strings("AttributeNames").Count > 0 || args.Strings("MessageSystemAttributeNames").Count > 0;
        var messageAttributeNames = args.Strings("MessageAttributeNames");
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(wait);
        while (true)
        {
            Task changed;
            TimeSpan sleep;
            lock (_sync)
            {
                var now = time.GetUtcNow();
                var received = TakeVisible(queue, max, visibility, now);
                if (received.Count > 0 || now >= deadline)
                    return new JsonObject { ["Messages"] = new JsonArray(received.Select(m => (JsonNode?)MessageJson(m, wantAttributes, messageAttributeNames)).ToArray()) };
                var nextVisible = queue.Messages.Select(m => m.VisibleAt).Where(t => t > now).DefaultIfEmpty(deadline).Min();
                sleep = (nextVisible < deadline ? nextVisible : deadline) - now;
                changed = queue.Changed.Task;
            }
            using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(sleep, time, stopDelay.Token);
            await Task.WhenAny(changed, delay);
            await stopDelay.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private List<SqsMessage> TakeVisible(SimQueue queue, int max, TimeSpan visibility, DateTimeOffset now)
    {
        var received = new List<SqsMessage>();
        foreach (var message in queue.Messages.ToArray())
        {
            if (received.Count >= max) break;
            if (message.VisibleAt > now) continue;
            if (queue.DeadLetterQueue is { } dlq && message.ReceiveCount >= queue.MaxReceiveCount)
            {
                queue.Messages.Remove(message);
                message.VisibleAt = now;
                dlq.Messages.Add(message);
                dlq.Signal();
                continue;
            }
            message.ReceiveCount++;
            message.FirstReceivedAt ??= now;
            message.VisibleAt = now + visibility;
            message.ReceiptHandle = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{queue.Name}|{message.MessageId}|{message.ReceiveCount}|{random.Hex(16)}"));
            received.Add(message);
        }
        return received;
    }

    private static JsonObject MessageJson(SqsMessage m, bool attributes, IReadOnlyList<string> messageAttributeNames)
    {
        var json = new JsonObject
        {
            ["MessageId"] = m.MessageId,
            ["ReceiptHandle"] = m.ReceiptHandle,
            ["MD5OfBody"] = m.Md5OfBody,
            ["Body"] = m.Body,
        };
        if (attributes)
        {
            json["Attributes"] = new JsonObject
            {
                ["ApproximateReceiveCount"] = m.ReceiveCount.ToString(CultureInfo.InvariantCulture),
                ["SentTimestamp"] = m.SentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["ApproximateFirstReceiveTimestamp"] = (m.FirstReceivedAt ?? m.SentAt).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["SenderId"] = "AIDAIENQZJOLO23YVJ4VO",
            };
        }
        // Only the attributes asked for ("All" or ".*", a name, or a prefix "name.*"), and the digest of those, as SQS does.
        if (m.MessageAttributes is { Count: > 0 } all)
        {
            var chosen = new JsonObject();
            foreach (var (name, value) in all)
                if (messageAttributeNames.Any(wanted => AttributeWanted(wanted, name))) chosen[name] = value?.DeepClone();
            if (chosen.Count > 0)
            {
                json["MessageAttributes"] = chosen;
                json["MD5OfMessageAttributes"] = MessageDigests.OfAttributes(chosen);
            }
        }
        return json;
    }

    private static bool AttributeWanted(string wanted, string name) =>
        wanted is "All" or ".*"
        || string.Equals(wanted, name, StringComparison.Ordinal)
        || (wanted.EndsWith(".*", StringComparison.Ordinal) && name.StartsWith(wanted[..^1], StringComparison.Ordinal));

    private JsonObject DeleteMessage(JsonArgs args)
    {
        var queue = QueueOf(args);
        lock (_sync) Delete(queue, args.RequiredString("ReceiptHandle"));
        return [];
    }

    private JsonObject DeleteMessageBatch(JsonArgs args)
    {
        var queue = QueueOf(args);
        var entries = BatchEntries(args);
        var successful = new JsonArray();
        var failed = new JsonArray();
        lock (_sync)
        {
            foreach (var entry in entries)
            {
                var id = entry["Id"]?.GetValue<string>() ?? "";
                try
                {
                    Delete(queue, entry["ReceiptHandle"]?.GetValue<string>() ?? "");
                    successful.Add(new JsonObject { ["Id"] = id });
                }
                catch (AwsServiceException e)
                {
                    failed.Add(new JsonObject { ["Id"] = id, ["SenderFault"] = true, ["Code"] = e.Code, ["Message"] = e.Message });
                }
            }
        }
        return new JsonObject { ["Successful"] = successful, ["Failed"] = failed };
    }

    private static void Delete(SimQueue queue, string receiptHandle)
    {
        var (queueName, messageId, _) = ParseHandle(receiptHandle);
        if (queueName != queue.Name) throw new AwsServiceException(400, "ReceiptHandleIsInvalid", $"The receipt handle \"{receiptHandle}\" is not valid for this queue.");
        queue.Messages.RemoveAll(m => m.MessageId == messageId);
    }

    private JsonObject ChangeMessageVisibility(JsonArgs args)
    {
        var queue = QueueOf(args);
        var handle = args.RequiredString("ReceiptHandle");
        var seconds = args.Int("VisibilityTimeout") ?? throw InvalidParameter("VisibilityTimeout is required");
        if (seconds is < 0 or > 43_200) throw InvalidParameter("VisibilityTimeout must be within 0..43200");
        var (_, messageId, _) = ParseHandle(handle);
        lock (_sync)
        {
            var now = time.GetUtcNow();
            var message = queue.Messages.FirstOrDefault(m => m.MessageId == messageId);
            if (message is null || message.VisibleAt <= now || message.ReceiptHandle != handle)
                throw new AwsServiceException(400, "MessageNotInflight", "The message referred to isn't in flight.");
            message.VisibleAt = now + TimeSpan.FromSeconds(seconds);
            queue.Signal();
        }
        return [];
    }

    private JsonObject GetQueueAttributes(JsonArgs args)
    {
        var queue = QueueOf(args);
        lock (_sync)
        {
            var now = time.GetUtcNow();
            var attributes = new JsonObject
            {
                ["QueueArn"] = queue.Arn,
                ["ApproximateNumberOfMessages"] = Count(queue.Messages.Count(m => m.VisibleAt <= now)),
                ["ApproximateNumberOfMessagesNotVisible"] = Count(queue.Messages.Count(m => m.VisibleAt > now && m.ReceiveCount > 0)),
                ["ApproximateNumberOfMessagesDelayed"] = Count(queue.Messages.Count(m => m.VisibleAt > now && m.ReceiveCount == 0)),
                ["VisibilityTimeout"] = Count((int)queue.VisibilityTimeout.TotalSeconds),
                ["MaximumMessageSize"] = "262144",
                ["MessageRetentionPeriod"] = "345600",
                ["ReceiveMessageWaitTimeSeconds"] = "0",
                ["DelaySeconds"] = "0",
            };
            if (queue.DeadLetterQueue is { } dlq)
                attributes["RedrivePolicy"] = new JsonObject { ["deadLetterTargetArn"] = dlq.Arn, ["maxReceiveCount"] = queue.MaxReceiveCount }.ToJsonString();
            foreach (var (name, value) in queue.OtherAttributes) attributes[name] = value;
            var wanted = args.Strings("AttributeNames");
            if (wanted.Count > 0 && !wanted.Contains("All"))
                foreach (var name in attributes.Select(a => a.Key).ToArray())
                    if (!wanted.Contains(name)) attributes.Remove(name);
            return new JsonObject { ["Attributes"] = attributes };
        }
    }

    private JsonObject ListQueues(JsonArgs args, SimRequest request)
    {
        var prefix = args.String("QueueNamePrefix") ?? "";
        var maxResults = args.Int("MaxResults");
        if (maxResults is < 1 or > 1000) throw InvalidParameter("MaxResults must be within 1..1000");
        var after = args.String("NextToken");
        SimQueue[] queues;
        lock (_sync)
            queues = _queues.Values.Where(q => q.Name.StartsWith(prefix, StringComparison.Ordinal))
                .Where(q => after is null || string.CompareOrdinal(q.Name, after) > 0)
                .OrderBy(q => q.Name, StringComparer.Ordinal).ToArray();
        // Without MaxResults SQS answers at most 1,000 queues and no token.
        var page = queues.Take(maxResults ?? 1000).ToArray();
        var result = new JsonObject { ["QueueUrls"] = new JsonArray(page.Select(q => (JsonNode?)UrlOf(q, request)).ToArray()) };
        if (maxResults is not null && queues.Length > page.Length) result["NextToken"] = page[^1].Name;
        if (page.Length == 0) result.Remove("QueueUrls");
        return result;
    }

    private JsonObject CreateQueue(JsonArgs args, SimRequest request)
    {
        var name = args.RequiredString("QueueName");
        if (name.Length > 80 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw InvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        var attributes = args.StringMap("Attributes") ?? new Dictionary<string, string>();
        lock (_sync)
        {
            var visibility = attributes.TryGetValue("VisibilityTimeout", out var v)
                ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 43_200 ? TimeSpan.FromSeconds(seconds)
                    : throw InvalidParameter($"Invalid value for the parameter VisibilityTimeout.")
                : TimeSpan.FromSeconds(30);
            var (deadLetter, maxReceive) = Redrive(attributes);
            if (_queues.TryGetValue(name, out var existing))
            {
                // Same name and attributes: the existing queue; other attributes: an error, as SQS answers.
                if (attributes.ContainsKey("VisibilityTimeout") && existing.VisibilityTimeout != visibility)
                    throw new AwsServiceException(400, "QueueNameExists", "A queue already exists with the same name and a different value for attribute VisibilityTimeout");
                return new JsonObject { ["QueueUrl"] = UrlOf(existing, request) };
            }
            var queue = new SimQueue(name, $"arn:aws:sqs:{region}:{account}:{name}", visibility) { DeadLetterQueue = deadLetter, MaxReceiveCount = maxReceive };
            foreach (var (key, value) in attributes)
                if (key is not ("VisibilityTimeout" or "RedrivePolicy")) queue.OtherAttributes[key] = value;
            _queues[name] = queue;
            return new JsonObject { ["QueueUrl"] = UrlOf(queue, request) };
        }
    }

    private JsonObject SetQueueAttributes(JsonArgs args)
    {
        var queue = QueueOf(args);
        var attributes = args.StringMap("Attributes") ?? new Dictionary<string, string>();
        lock (_sync)
        {
            foreach (var (key, value) in attributes)
            {
                if (key == "VisibilityTimeout")
                    queue.VisibilityTimeout = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 43_200
                        ? TimeSpan.FromSeconds(seconds) : throw InvalidParameter("Invalid value for the parameter VisibilityTimeout.");
                else if (key == "RedrivePolicy") (queue.DeadLetterQueue, queue.MaxReceiveCount) = Redrive(attributes);
                else queue.OtherAttributes[key] = value;
            }
        }
        return [];
    }

    /// <summary>The dead-letter queue and receive count of a RedrivePolicy attribute (call under the lock).</summary>
    private (SimQueue? DeadLetter, int MaxReceiveCount) Redrive(IReadOnlyDictionary<string, string> attributes)
    {
        if (!attributes.TryGetValue("RedrivePolicy", out var text) || text.Length == 0) return (null, 0);
        try
        {
            var policy = JsonNode.Parse(text) as JsonObject ?? throw new FormatException();
            var arn = policy["deadLetterTargetArn"]?.GetValue<string>() ?? throw new FormatException();
            var count = policy["maxReceiveCount"] switch
            {
                JsonValue value when value.TryGetValue<int>(out var n) => n,
                JsonValue value when int.TryParse(value.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                _ => throw new FormatException(),
            };
            var dlq = _queues.Values.FirstOrDefault(q => q.Arn == arn)
                ?? throw InvalidParameter($"Value {text} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.");
            return (dlq, count);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw InvalidParameter($"Value {text} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.");
        }
    }

    private JsonObject DeleteQueue(JsonArgs args)
    {
        var queue = QueueOf(args);
        lock (_sync) _queues.Remove(queue.Name);
        return [];
    }

    private JsonObject Purge(JsonArgs args)
    {
        var queue = QueueOf(args);
        lock (_sync) queue.Messages.Clear();
        return [];
    }

    private SimQueue QueueOf(JsonArgs args)
    {
        var url = args.RequiredString("QueueUrl");
        return Queue(url.TrimEnd('/').Split('/')[^1]);
    }

    private SimQueue Queue(string name)
    {
        lock (_sync) return _queues.GetValueOrDefault(name) ?? throw SqsErrors.NonExistentQueue();
    }

    private static (string Queue, string MessageId, int ReceiveCount) ParseHandle(string handle)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(handle)).Split('|');
            if (parts.Length == 4 && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var count)) return (parts[0], parts[1], count);
        }
        catch (FormatException)
        {
            // reported below
        }
        throw new AwsServiceException(400, "ReceiptHandleIsInvalid", $"The input receipt handle \"{handle}\" is not a valid receipt handle.");
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static AwsServiceException InvalidParameter(string message) => SqsErrors.InvalidParameter(message);
}
