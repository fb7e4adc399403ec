using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Leadership;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.Sources;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.Core.Vpc;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetry;

namespace IpsecMesh.Core.Hosting;

public static class IpsecMeshServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole controller. Settings come from the <c>IpsecMesh</c> section and are validated
    /// here, all at once: a bad deployment fails at start with every problem named.
    /// </summary>
    /// <param name="aws">The AWS SDK options (the simulator's, a test's); null: from <paramref name="configuration"/> (<see cref="AwsClients"/>).</param>
    /// <param name="http">The SDK's transport instead of the network (the simulator's); null: the SDK's own.</param>
    public static IServiceCollection AddIpsecMesh(this IServiceCollection services, IConfiguration configuration, AWSOptions? aws = null, HttpClientFactory? http = null,
        TimeProvider? time = null)
    {
        var options = services.AddIpsecMeshAws(configuration, aws, http, time, forController: true);
        var backdate = services.BuildPkiOptions(configuration, options).ClockSkewBackdate;
        services.AddSingleton<IpsecMeshTelemetry>();
        services.AddSingleton<AwsCallMeter>();
        services.AddSingleton<InstanceStore>();
        services.AddSingleton<StateSealKey>();
        services.AddSingleton<HostFactsStore>();
        services.AddSingleton<IpsecMesh.Core.Agents.LatePeerList>();
        services.AddSingleton(sp => new CertificateCache(sp.GetRequiredService<IIssuanceRegistry>(), backdate));
        services.AddSingleton<RolloutStore>();
        services.AddSingleton<ConfigRollout>();
        services.AddSingleton<RolloutAdvancer>();
        services.AddSingleton<FleetCaCoverage>();
        services.AddSingleton<CaRetirementCheck>();
        services.AddSingleton<PolicySource>();
        services.AddSingleton<TrustFeed>();
        services.AddSingleton<DesiredStateProvider>();
        services.AddSingleton(sp => new WorkQueue<string>(sp.GetRequiredService<TimeProvider>(),
            new BackoffPolicy(options.BackoffBase, options.BackoffCap, sp.GetRequiredService<Random>())));
        services.AddSingleton<IRetryBackoff<string>>(sp => sp.GetRequiredService<WorkQueue<string>>());
        services.AddSingleton<IEc2Gateway>(sp => new Ec2Gateway(sp.GetRequiredService<Amazon.EC2.IAmazonEC2>(), options,
            sp.GetRequiredService<TimeProvider>(), options.BatchWindow));
        services.AddSingleton<AgentDocumentBinding>();
        services.AddSingleton<HostInputStore>();
        services.AddSingleton<ISsmGateway>(sp => new SsmGateway(sp.GetRequiredService<Amazon.SimpleSystemsManagement.IAmazonSimpleSystemsManagement>(), options,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IpsecMeshTelemetry>(), options.BatchWindow,
            sp.GetRequiredService<AgentDocumentBinding>(), sp.GetRequiredService<HostInputStore>(), sp.GetRequiredService<ILogger<SsmGateway>>()));
        services.AddSingleton<IpsecMesh.Core.Vpc.VpcPolicyFacts>();
        services.AddSingleton(sp => new SecurityGroupChecker(sp.GetRequiredService<IEc2Gateway>(), sp.GetRequiredService<TimeProvider>(), options.ResyncInterval,
            sp.GetRequiredService<IpsecMesh.Core.Vpc.VpcPolicyFacts>()));
        services.AddSingleton(sp => new RevocationQueue(sp.GetRequiredService<IIssuanceRegistry>(), sp.GetRequiredService<TimeProvider>(), options.BatchWindow));
        services.AddSingleton<CommandWatcher>();
        services.AddSingleton<RotationGate>();
        services.AddSingleton<CommandLedger>();
        services.AddSingleton<ObservationBuilder>();
        services.AddSingleton<HostObserver>();
        services.AddSingleton<InstanceObserver>();
        services.AddSingleton<InstanceTagWriter>();
        services.AddSingleton<CommandSender>();
        services.AddSingleton<PhaseMarker>();
        services.AddSingleton<CertificateActions>();
        services.AddSingleton<CertificateRevoker>();
        services.AddSingleton<CertificateSteps>();
        services.AddSingleton<InstanceRetirement>();
        services.AddSingleton<DecisionDispatcher>();
        services.AddSingleton<InstanceReconciler>();
        services.AddSingleton<EventRouter>();
        services.AddSingleton<SqsEventReader>();
        services.AddSingleton<SqsEventSource>();
        services.AddSingleton<VpcRescan>();
        services.AddSingleton<Resync>();
        services.AddSingleton<HostHealthCollector>();
        services.AddSingleton<ControllerStatus>();
        services.AddSingleton<ConfigGauges>();
        services.AddSingleton<FleetGauges>();
        services.AddSingleton(sp => new HostHealthGauges(sp.GetRequiredService<IpsecMeshTelemetry>().Meter, sp.GetRequiredService<HostHealthCollector>(), options));
        services.AddSingleton(sp => new PkiCounterInstruments(sp.GetRequiredService<IpsecMeshTelemetry>().Meter, sp.GetRequiredService<PkiCounters>()));
        services.AddSingleton<ControllerGauges>();
        // First: nothing is sent (no lease taken) before the agent document is known to hold this build's agent.
        services.AddHostedService<AgentDocumentCheck>();
        if (options.LeaderElection.Enabled)
        {
            services.AddSingleton<S3LeaseLeadership>();
            services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<S3LeaseLeadership>());
            services.AddHostedService(sp => sp.GetRequiredService<S3LeaseLeadership>());
        }
        else
        {
            services.AddSingleton<ILeadership, SingleReplicaLeadership>();
        }
        services.AddControllerRuntime(options);
        services.AddSingleton<LivenessCheck>();
        services.AddSingleton<ReadinessCheck>();
        services.AddHostedService<HealthEndpoint>();
        return services;
    }

    /// <summary>
    /// The AWS clients, the storage and KMS ports and the PKI: what every verb that touches AWS needs
    /// (<c>ca</c> and <c>status</c> too). Settings are validated here, every error at once.
    /// </summary>
    public static IpsecMeshOptions AddIpsecMeshAws(this IServiceCollection services, IConfiguration configuration, AWSOptions? aws, HttpClientFactory? http,
        TimeProvider? time, bool forController)
    {
        var options = configuration.GetSection(IpsecMeshOptions.Section).Get<IpsecMeshOptions>() ?? new IpsecMeshOptions();
        var pki = services.BuildPkiOptions(configuration, options);
        // Registrations depend on the values (leader election, batch windows), so they are checked here, all at once;
        // the options pattern checks the same rules again when a host starts (ValidateOnStart).
        SettingsValidation.EnsureValid(options, pki, requireAwsResources: forController);
        var section = configuration.GetSection(IpsecMeshOptions.Section);
        services.AddOptions<IpsecMeshOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IpsecMeshOptions>>(new IpsecMeshOptionsValidator(forController));
        services.AddOptions<PkiOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PkiOptions>, PkiOptionsValidator>();

        services.AddSingleton(options);
        services.AddSingleton(time ?? TimeProvider.System);
        services.TryAddSingleton(new Random());
        services.AddIpsecMeshAwsClients(configuration, options.Region, aws, http);
        services.AddSingleton<IObjectStore>(sp => new S3ObjectStore(sp.GetRequiredService<Amazon.S3.IAmazonS3>(), options.Bucket ?? "", options.BucketKmsKeyId));
        services.AddSingleton<IKeyService>(sp => new KmsKeyService(sp.GetRequiredService<Amazon.KeyManagementService.IAmazonKeyManagementService>()));
        services.AddIpsecMeshPki(pki);
        return options;
    }

    private static PkiOptions BuildPkiOptions(this IServiceCollection _, IConfiguration configuration, IpsecMeshOptions options) =>
        (configuration.GetSection(IpsecMeshOptions.Section).Get<PkiOptions>() ?? new PkiOptions()) with
        {
            Bucket = options.Bucket ?? "",
            CaKmsKeyId = options.CaKmsKeyId ?? "",
            HostKmsKeyId = options.HostKmsKeyId ?? "",
            CertificateLifetime = options.CertificateLifetime,
            RenewAfter = options.RenewAfter,
            EnrolmentMode = options.EnrolmentMode,
        };

    /// <summary>
    /// OpenTelemetry: metrics and traces of the one Meter/ActivitySource, and the .NET runtime's metrics (GC collections,
    /// heap and allocations, thread pool threads and queue, working set: the <c>dotnet.*</c> instruments of the
    /// System.Runtime meter), over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// </summary>
    public static IServiceCollection AddIpsecMeshTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ipsec-mesh"))
            .WithMetrics(m => m.AddMeter(IpsecMeshTelemetry.Name).AddRuntimeInstrumentation())
            .WithTracing(t => t.AddSource(IpsecMeshTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) otel.UseOtlpExporter();
        services.AddHostedService<ZeroSeriesPublisher>();
        return services;
    }

    /// <summary>Structured JSON logs with scopes (instance id, reconcile id) to standard output.</summary>
    public static ILoggingBuilder AddIpsecMeshLogging(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        return logging;
    }
}
