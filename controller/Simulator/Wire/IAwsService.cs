namespace IpsecMesh.Simulator.Wire;

/// <summary>One simulated AWS service: its wire protocol's parsing, operations and error format.</summary>
internal interface IAwsService
{
    /// <summary>The SigV4 service name ("ec2", "ssm", "kms", "s3", "sqs").</summary>
    string Name { get; }

    /// <summary>The operation a request asks for, e.g. "DescribeInstances".</summary>
    string OperationOf(SimRequest request);

    Task<SimResponse> HandleAsync(string operation, SimRequest request, CancellationToken cancellationToken);

    SimResponse FormatError(AwsServiceException error, SimRequest request);

    /// <summary>The service's own throttling error.</summary>
    AwsServiceException Throttled();

    /// <summary>The service's own 5xx internal error.</summary>
    AwsServiceException InternalError();
}
