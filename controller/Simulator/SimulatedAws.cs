using IpsecMesh.Simulator.Ec2;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Kms;
using IpsecMesh.Simulator.S3;
using IpsecMesh.Simulator.Sqs;
using IpsecMesh.Simulator.Ssm;
using IpsecMesh.Simulator.Throttling;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator;

/// <summary>
/// An in-process AWS (EC2, SSM, KMS, S3, SQS) that the real AWS SDK clients talk to over their real
/// wire protocols, either through <see cref="CreateHandler"/> or over 127.0.0.1 via <see cref="ListenAsync"/>.
/// Pre-created: the events queue with its dead-letter queue, one bucket, two symmetric KMS keys.
/// </summary>
public sealed class SimulatedAws : IAsyncDisposable
{
    private readonly RequestDispatcher _dispatcher;
    private readonly S3Service _s3;
    private readonly SqsService _sqs;
    private readonly SsmService _ssm;
    private LoopbackServer? _server;

    public SimulatedAws(SimulatorOptions options, TimeProvider time)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid simulator options: " + string.Join("; ", errors), nameof(options));
        Options = options;
        Time = time;
        var random = new SeededRandom(options.Seed);
        _sqs = new SqsService(time, random, options.Faults, options.Region, options.AccountId);
        DeadLetterQueueUrl = _sqs.CreateQueue(options.DeadLetterQueueName, options.QueueVisibilityTimeout);
        QueueUrl = _sqs.CreateQueue(options.QueueName, options.QueueVisibilityTimeout, options.DeadLetterQueueName, options.MaxReceiveCount);
        Fleet = new Fleet(options, time, random, body => _sqs.DeliverEvent(options.QueueName, body));
        Kms = new SimulatedKms(options.Region, options.AccountId, random, time);
        CaKeyId = Kms.CreateKey(KmsKeySpec.Symmetric, "ipsec-mesh CA key envelope");
        HostKeyId = Kms.CreateInstanceBoundKey("ipsec-mesh host secrets");
        Kms.CreateAlias("alias/ipsec-mesh-ca", CaKeyId);
        Kms.CreateAlias("alias/ipsec-mesh-host", HostKeyId);
        _s3 = new S3Service(time);
        _s3.CreateBucket(options.BucketName);
        _ssm = new SsmService(Fleet, Kms, time, random, options.CommandDeliveryLatency);
        _dispatcher = new RequestDispatcher(
            [new Ec2Service(Fleet, options), _ssm, new KmsService(Kms), _s3, _sqs],
            Calls, new Throttler(options.Throttle, time), options.Faults, random, time);
    }

    public SimulatorOptions Options { get; }
    public TimeProvider Time { get; }
    public Fleet Fleet { get; }
    public ApiCallCounters Calls { get; } = new();
    public SimulatedKms Kms { get; }
    public string Region => Options.Region;
    public string AccountId => Options.AccountId;
    public string QueueUrl { get; }
    public string DeadLetterQueueUrl { get; }
    public string BucketName => Options.BucketName;
    public string CaKeyId { get; }
    public string HostKeyId { get; }

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
        var server = new LoopbackServer(_dispatcher);
        Endpoint = await server.StartAsync(port, cancellationToken);
        _server = server;
        return Endpoint;
    }

    /// <summary>Answers the next <paramref name="count"/> calls of <paramref name="api"/> ("ssm:SendCommand") with the service's throttling error.</summary>
    public void ThrottleNext(string api, int count = 1) => _dispatcher.ThrottleNext(api, count);

    /// <summary>The least simulated time AWS's token buckets need for the calls answered so far.</summary>
    public double LowerBoundSeconds() => Calls.LowerBoundSeconds(Options.Throttle.Enabled ? Options.Throttle : ThrottleProfile.Aws);

    /// <summary>An object's bytes in a bucket (default: the pre-created one), or null. No API call is counted.</summary>
    public byte[]? ReadObject(string key, string? bucket = null) => _s3.Read(bucket ?? BucketName, key);

    public IReadOnlyList<string> ListKeys(string prefix = "", string? bucket = null) => _s3.Keys(bucket ?? BucketName, prefix);

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
