using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.Simulator.Ec2;
using IpsecMesh.Simulator.Events;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Kms;
using IpsecMesh.Simulator.S3;
using IpsecMesh.Simulator.Sqs;
using IpsecMesh.Simulator.State;
using IpsecMesh.Simulator.Ssm;
using IpsecMesh.Simulator.Throttling;
using IpsecMesh.Simulator.Wire;
using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator;

/// <summary>
/// An in-process AWS (EC2, SSM, KMS, S3, SQS) that the real AWS SDK clients talk to over their real
/// wire protocols, either through <see cref="CreateHandler"/> or over 127.0.0.1 via <see cref="ListenAsync"/>.
/// Pre-created: the events queue with its dead-letter queue, one bucket, two symmetric KMS keys and
/// the agent's SSM document.
/// </summary>
public sealed class SimulatedAws : IAsyncDisposable
{
    private readonly RequestDispatcher _dispatcher;
    private readonly S3Service _s3;
    private readonly SqsService _sqs;
    private readonly SsmService _ssm;
    private readonly EventBus _events;
    private int _baseSeed;
    private int _generation;
    private LoopbackServer? _server;

    public SimulatedAws(SimulatorOptions options, TimeProvider time)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid simulator options: " + string.Join("; ", errors), nameof(options));
        Options = options;
        Time = time;
        _baseSeed = options.Seed;
        var random = new SeededRandom(options.Seed);
        _sqs = new SqsService(time, random, options.Faults, options.Region, options.AccountId);
        _events = new EventBus(_sqs.QueueNameOfArn, _sqs.DeliverEvent);
        Fleet = new Fleet(options, time, random, _events.Publish);
        Kms = new SimulatedKms(options.Region, options.AccountId, random, time);
        _s3 = new S3Service(time);
        if (!options.Empty)
        {
            _sqs.CreateQueue(options.DeadLetterQueueName, options.QueueVisibilityTimeout);
            _sqs.CreateQueue(options.QueueName, options.QueueVisibilityTimeout, options.DeadLetterQueueName, options.MaxReceiveCount);
            CreateStackRules(options);
            CaKeyId = Kms.CreateKey(KmsKeySpec.Symmetric, "ipsec-mesh CA key envelope");
            HostKeyId = Kms.CreateInstanceBoundKey("ipsec-mesh host secrets");
            Kms.CreateAlias("alias/ipsec-mesh-ca", CaKeyId);
            Kms.CreateAlias("alias/ipsec-mesh-host", HostKeyId);
            _s3.CreateBucket(options.BucketName);
        }
        _ssm = new SsmService(Fleet, Kms, time, random, options.CommandDeliveryLatency, options.Region, options.AccountId, _s3.Read);
        AgentDocumentName = AgentDocument.Name;
        _ssm.Runner.EventSource = (options.AccountId, options.Region);
        _ssm.Runner.PublishEvent = _events.Publish;
        if (!options.Empty) CreateCommandStatusRule(options, AgentDocumentName);
        // As the stack does: the agent document of this build, reading input files from this bucket (an empty account has none).
        if (!options.Empty)
            _ssm.Documents.Create(AgentDocumentName, AgentDocument.ToJson(AgentDocument.Build(AgentScript.Content, new InputsLocation(options.BucketName, options.Region))),
                "Command", "JSON", AgentDocument.TargetType);
        _dispatcher = new RequestDispatcher(
            [new Ec2Service(Fleet, options), _ssm, new KmsService(Kms), _s3, _sqs, new EventsService(_events, options.Region, options.AccountId)],
            Calls, new Throttler(options.Throttle, time), options.Faults, random, time);
    }

    public SimulatorOptions Options { get; private set; }
    public TimeProvider Time { get; }
    public Fleet Fleet { get; }
    public ApiCallCounters Calls { get; } = new();
    public SimulatedKms Kms { get; }
    public string Region => Options.Region;
    public string AccountId => Options.AccountId;
    /// <summary>The events queue's URL, on the loopback endpoint once <see cref="ListenAsync"/> has run (as LocalStack's are on its own).</summary>
    public string QueueUrl => _sqs.UrlOf(Options.QueueName);
    public string DeadLetterQueueUrl => _sqs.UrlOf(Options.DeadLetterQueueName);
    public string BucketName => Options.BucketName;
    /// <summary>The CA's KMS key id ("" in an <see cref="SimulatorOptions.Empty"/> account).</summary>
    public string CaKeyId { get; private set; } = "";
    public string HostKeyId { get; private set; } = "";

    /// <summary>Writes the whole account (<see cref="AccountState"/>) to <paramref name="path"/>, atomically (a temporary file, then a rename).</summary>
    public void Save(string path)
    {
        var state = new AccountState
        {
            Generation = _generation,
            Seed = _baseSeed,
            Region = Options.Region,
            AccountId = Options.AccountId,
            QueueName = Options.QueueName,
            DeadLetterQueueName = Options.DeadLetterQueueName,
            BucketName = Options.BucketName,
            CaKeyId = CaKeyId,
            HostKeyId = HostKeyId,
            Fleet = Fleet.Export(),
            Buckets = _s3.Export(),
            Kms = Kms.Export(),
            Queues = _sqs.Export(),
            Rules = _events.Rules().Select(r => new RuleState(r.Name, r.Pattern, r.State, r.Description, r.Targets)).ToArray(),
        };
        AccountStateFile.Write(path, state);
    }

    /// <summary>
    /// The account saved at <paramref name="path"/> by <see cref="Save"/>, with <paramref name="options"/>'s behaviour (throttling,
    /// faults, host options) and the saved account's names, ids, seed and contents.
    /// </summary>
    public static SimulatedAws Restore(string path, SimulatorOptions options, TimeProvider time, VirtualHostOptions? hostOptions = null)
    {
        var state = AccountStateFile.Read(path);
        var aws = new SimulatedAws(options with
        {
            Empty = true,
            Seed = unchecked(state.Seed + 104_729 * (state.Generation + 1)),
            Region = state.Region,
            AccountId = state.AccountId,
            QueueName = state.QueueName,
            DeadLetterQueueName = state.DeadLetterQueueName,
            BucketName = state.BucketName,
        }, time);
        aws._baseSeed = state.Seed;
        aws._generation = state.Generation + 1;
        aws.Options = aws.Options with { Empty = options.Empty };
        aws.Fleet.HostOptions = hostOptions ?? aws.Fleet.HostOptions;
        aws.Fleet.Import(state.Fleet, aws.Fleet.HostOptions);
        aws._s3.Import(state.Buckets);
        aws.Kms.Import(state.Kms);
        aws._sqs.Import(state.Queues);
        foreach (var rule in state.Rules)
        {
            aws._events.PutRule(rule.Name, rule.Pattern, rule.State, rule.Description);
            foreach (var (id, arn) in rule.Targets) aws._events.PutTarget(rule.Name, id, arn);
        }
        aws.CaKeyId = state.CaKeyId;
        aws.HostKeyId = state.HostKeyId;
        // SSM documents are not saved: the account gets this build's agent document, as deploying this build's stack would.
        if (!options.Empty)
            aws._ssm.Documents.Create(aws.AgentDocumentName, AgentDocument.ToJson(AgentDocument.Build(AgentScript.Content, new InputsLocation(state.BucketName, state.Region))),
                "Command", "JSON", AgentDocument.TargetType);
        return aws;
    }

    /// <summary>
    /// The stack's two EventBridge rules (deploy/ipsec-mesh.yaml): EC2 state changes, and tag changes of the watched key,
    /// both to the events queue.
    /// </summary>
    private void CreateStackRules(SimulatorOptions options)
    {
        var queueArn = $"arn:aws:sqs:{options.Region}:{options.AccountId}:{options.QueueName}";
        _events.PutRule("ipsec-mesh-instance-state", """{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}""");
        _events.PutRule("ipsec-mesh-tag-change", new JsonObject
        {
            ["source"] = new JsonArray("aws.tag"),
            ["detail-type"] = new JsonArray("Tag Change on Resource"),
            ["detail"] = new JsonObject
            {
                ["service"] = new JsonArray("ec2"),
                ["resource-type"] = new JsonArray("instance"),
                ["changed-tag-keys"] = new JsonArray(options.WatchedTagKey),
            },
        }.ToJsonString());
        _events.PutTarget("ipsec-mesh-instance-state", "ipsec-mesh-queue", queueArn);
        _events.PutTarget("ipsec-mesh-tag-change", "ipsec-mesh-queue", queueArn);
    }

    /// <summary>
    /// As the stack's CommandStatusRule: Run Command's status-change events of the agent document, for invocations and
    /// commands that ended, to the events queue (the controller reads a finished command's outputs once, no polling).
    /// </summary>
    private void CreateCommandStatusRule(SimulatorOptions options, string documentName)
    {
        _events.PutRule("ipsec-mesh-command-status", CommandStatusPattern(documentName));
        _events.PutTarget("ipsec-mesh-command-status", "ipsec-mesh-queue", $"arn:aws:sqs:{options.Region}:{options.AccountId}:{options.QueueName}");
    }

    /// <summary>The stack's event pattern for Run Command's status changes of <paramref name="documentName"/> that end an invocation or a command.</summary>
    public static string CommandStatusPattern(string documentName) => new JsonObject
    {
        ["source"] = new JsonArray("aws.ssm"),
        ["detail-type"] = new JsonArray(Events.EventEnvelope.CommandStatusChangeDetailType, Events.EventEnvelope.CommandInvocationStatusChangeDetailType),
        ["detail"] = new JsonObject
        {
            ["document-name"] = new JsonArray(documentName),
            ["status"] = new JsonArray("Success", "Failed", "TimedOut", "Cancelled"),
        },
    }.ToJsonString();

    /// <summary>The agent document of this build, registered as the stack registers it (AgentDocument.Name).</summary>
    public string AgentDocumentName { get; }

    /// <summary>The endpoint once <see cref="ListenAsync"/> has run.</summary>
    public Uri? Endpoint { get; private set; }

    /// <summary>The most SSM commands ever running at once on one instance (AWS allows more than one; the controller must not).</summary>
    public int MaxConcurrentCommandsPerInstance => _ssm.Runner.MaxConcurrentPerInstance;

    /// <summary>How many times a command started on an instance that was already running one.</summary>
    public long OverlappingCommands => _ssm.Runner.Overlaps;

    /// <summary>Every SSM command invocation so far (instance, comment, requested, started, ended), in the order they were sent.</summary>
    public IReadOnlyList<InvocationRecord> CommandHistory => _ssm.History();

    /// <summary>What the first overlapping commands were, for a failure message.</summary>
    public IReadOnlyList<string> OverlappingCommandDetails => _ssm.Runner.OverlapDetails;

    /// <summary>The in-process transport for SDK clients (wrap it in the SDK's HttpClientFactory). One handler per client is fine.</summary>
    public HttpMessageHandler CreateHandler() => new InProcessHandler(_dispatcher);

    /// <summary>Serves every service on http://127.0.0.1:port/ (0: any free port). Prints nothing.</summary>
    public async Task<Uri> ListenAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        var server = new LoopbackServer(_dispatcher, SummaryJson);
        Endpoint = await server.StartAsync(port, cancellationToken);
        _sqs.BaseUrl = Endpoint.ToString();
        _server = server;
        return Endpoint;
    }

    /// <summary>API calls being answered now, oldest first, with their wall-clock age (a stuck run names its stuck calls).</summary>
    public IReadOnlyList<(string Api, TimeSpan Age)> InFlightCalls() => _dispatcher.InFlight();

    /// <summary>
    /// GET /_simulator/summary on the loopback endpoint: instances by the watched tag's value ("untagged" without it), every
    /// API's answered calls, and the throttled total. Not an AWS API: it is not counted.
    /// </summary>
    public string SummaryJson()
    {
        var phases = new JsonObject();
        foreach (var group in Fleet.Instances.Where(i => i.State != InstanceState.Terminated).GroupBy(i => i.Tag(Options.WatchedTagKey) ?? "untagged").OrderBy(g => g.Key, StringComparer.Ordinal))
            phases[group.Key] = group.Count();
        var calls = new JsonObject();
        foreach (var (api, tally) in Calls.Snapshot()) calls[api] = tally.Total;
        return new JsonObject
        {
            ["instances"] = Fleet.Instances.Count(i => i.State != InstanceState.Terminated),
            ["phases"] = phases,
            ["calls"] = calls,
            ["totalCalls"] = Calls.Total,
            ["throttled"] = Calls.Throttled,
        }.ToJsonString();
    }

    /// <summary>Answers the next <paramref name="count"/> calls of <paramref name="api"/> ("ssm:SendCommand") with the service's throttling error.</summary>
    public void ThrottleNext(string api, int count = 1) => _dispatcher.ThrottleNext(api, count);

    /// <summary>The least simulated time AWS's token buckets need for the calls answered so far.</summary>
    public double LowerBoundSeconds() => Calls.LowerBoundSeconds(Options.Throttle.Enabled ? Options.Throttle : ThrottleProfile.Aws);

    /// <summary>An object's bytes in a bucket (default: the pre-created one), or null. No API call is counted.</summary>
    public byte[]? ReadObject(string key, string? bucket = null) => _s3.Read(bucket ?? BucketName, key);

    public IReadOnlyList<string> ListKeys(string prefix = "", string? bucket = null) => _s3.Keys(bucket ?? BucketName, prefix);

    /// <summary>Registers a Command document directly (as a stack or an operator would create it); no API call is counted.</summary>
    public void CreateDocument(string name, string content) => _ssm.Documents.Create(name, content, "Command", "JSON", AgentDocument.TargetType);

    /// <summary>Stores an object directly (a test's stand-in for an upload); no API call is counted.</summary>
    public void WriteObject(string key, byte[] body, string? bucket = null) => _s3.Write(bucket ?? BucketName, key, body);

    public void CreateBucket(string name) => _s3.CreateBucket(name);

    /// <summary>Bodies waiting in the events queue (or the dead-letter queue), without receiving them.</summary>
    public IReadOnlyList<string> PeekQueue(bool deadLetter = false) => _sqs.Peek(deadLetter ? Options.DeadLetterQueueName : Options.QueueName);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Kms.Dispose();
        foreach (var instance in Fleet.Instances)
            if (instance.Runtime is VirtualHost host) host.Dispose();
    }
}
