using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace IpsecMesh.Core.Telemetry;

/// <summary>
/// Puts <see cref="AwsCallMeter"/> into the AWS SDK v4 request pipeline: a <see cref="PipelineHandler"/> just outside
/// the SDK's <see cref="RetryHandler"/>, so one API request counts once, with its outcome after the SDK's own retries
/// (as a call site wrapped by hand counted it). The SDK's customizer registry is process-wide; a client is metered only
/// after <see cref="Bind"/> ties its config to a meter (the controller's EC2, SSM and SQS clients), others pass through.
/// </summary>
public static class AwsCallMeterPipeline
{
    private static readonly ConditionalWeakTable<IClientConfig, Binding> Bindings = new();

    /// <summary>Registers the pipeline handler for every SDK client created from now on; idempotent.</summary>
    public static void Register() => RuntimePipelineCustomizerRegistry.Instance.Register(new Customizer());

    /// <summary>Meters the calls of the client with <paramref name="config"/> (its <c>Config</c>) as <paramref name="service"/> (ec2, ssm, sqs).</summary>
    public static void Bind(IClientConfig config, AwsCallMeter meter, string service) => Bindings.AddOrUpdate(config, new Binding(meter, service));

    private sealed record Binding(AwsCallMeter Meter, string Service);

    private sealed class Customizer : IRuntimePipelineCustomizer
    {
        public string UniqueName => "ipsec-mesh-aws-call-meter";

        public void Customize(Type type, RuntimePipeline pipeline) => pipeline.AddHandlerBefore<RetryHandler>(new Handler());
    }

    private sealed class Handler : PipelineHandler
    {
        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            var context = executionContext.RequestContext;
            if (!Bindings.TryGetValue(context.ClientConfig, out var binding)) return base.InvokeAsync<T>(executionContext);
            var operation = context.OriginalRequest.GetType().Name;
            if (operation.EndsWith("Request", StringComparison.Ordinal)) operation = operation[..^"Request".Length];
            return binding.Meter.CallAsync(binding.Service, operation, () => base.InvokeAsync<T>(executionContext));
        }
    }
}
