namespace IpsecMesh.Deploy.Tests.Policies;

/// <summary>Every policy statement of deploy/ipsec-mesh.yaml, as reviewed (docs/deploy.md says the same in prose).</summary>
public static class StackPolicy
{
    private const string Any = "*";
    private const string NoPrincipal = "null";
    private const string TaskRole = "{AWS: !GetAtt TaskRole.Arn}";
    private const string HostRole = "{AWS: !GetAtt HostRole.Arn}";
    private const string Account = "{AWS: arn:${AWS::Partition}:iam::${AWS::AccountId}:root}";
    private const string Instances = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*";
    private const string NoCondition = "{}";

    private static readonly string[] KeyAdministration =
    [
        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*",
        "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
    ];

    private const string OwnTagKeys = "${TagKey}:Status, ${TagKey}:CertExpiry, ${TagKey}:Config";

    public static IReadOnlyList<ReviewedStatement> Statements { get; } =
    [
        // ---- KMS key policies: the account administers each key; only named roles use it.
        new("BucketKey", "AccountAdministersTheKey", "Allow", Account, KeyAdministration, [Any], NoCondition,
            "the account may administer the bucket key but not use it"),
        new("BucketKey", "ControllerUsesTheKeyThroughS3Only", "Allow", TaskRole, ["kms:Decrypt", "kms:GenerateDataKey"], [Any],
            "{StringEquals: {kms:ViaService: s3.${AWS::Region}.amazonaws.com, kms:CallerAccount: !Ref AWS::AccountId}}",
            "the controller uses the bucket key only through S3"),
        new("BucketKey", "HostsDecryptThroughS3Only", "Allow", HostRole, ["kms:Decrypt"], [Any],
            "{StringEquals: {kms:ViaService: s3.${AWS::Region}.amazonaws.com, kms:CallerAccount: !Ref AWS::AccountId}}",
            "hosts decrypt only through S3, where their policy lets them read hosts/inputs/ and nothing else"),
        new("CaKey", "AccountAdministersTheKeyButCannotUseIt", "Allow", Account, KeyAdministration, [Any], NoCondition,
            "the account may administer the CA key but not use it"),
        new("CaKey", "OnlyTheControllerWrapsAndUnwrapsTheCaKey", "Allow", TaskRole, ["kms:Decrypt", "kms:GenerateDataKey"], [Any],
            "{StringEquals: {kms:EncryptionContext:Purpose: ipsec-mesh-ca-key}}",
            "only the controller unwraps the CA key, only with its encryption context"),
        new("CaSigningKey", "AccountAdministersTheKeyButCannotUseIt", "Allow", Account, KeyAdministration, [Any], NoCondition,
            "the account may administer the KMS-signer CA key but not use it"),
        new("CaSigningKey", "OnlyTheControllerSigns", "Allow", TaskRole, ["kms:Sign", "kms:GetPublicKey"], [Any], NoCondition,
            "only the controller signs with the KMS-signer CA key"),
        new("HostKey", "AccountAdministersTheKeyButCannotUseIt", "Allow", Account, KeyAdministration, [Any], NoCondition,
            "the account may administer the host key but not use it"),
        new("HostKey", "ControllerMakesHostSecrets", "Allow", TaskRole, ["kms:Encrypt", "kms:GenerateDataKey"], [Any],
            "{Null: {kms:EncryptionContext:InstanceId: false, kms:EncryptionContext:InstanceArn: false}, ForAllValues:StringEquals: {kms:EncryptionContextKeys: [InstanceId, InstanceArn]}}",
            "the controller seals host secrets only under exactly InstanceId and InstanceArn"),
        new("HostKey", "HostDecryptsOnlyItsOwnSecret", "Allow", HostRole, ["kms:Decrypt"], [Any],
            "{StringEquals: {kms:EncryptionContext:InstanceArn: ${ec2:SourceInstanceARN}}, Null: {kms:EncryptionContext:InstanceId: false}, ForAllValues:StringEquals: {kms:EncryptionContextKeys: [InstanceId, InstanceArn]}}",
            "a host decrypts only the secret sealed under its own instance ARN"),

        // ---- the bucket policy: denies, whatever an IAM policy elsewhere in the account grants.
        new("BucketPolicy", "DenyPlainHttp", "Deny", Any, ["s3:*"], ["!GetAtt Bucket.Arn", "${Bucket.Arn}/*"],
            "{Bool: {aws:SecureTransport: false}}", "no request without TLS"),
        new("BucketPolicy", "DenyObjectsNotUnderTheBucketKey", "Deny", Any, ["s3:PutObject"], ["${Bucket.Arn}/*"],
            "{StringNotEquals: {s3:x-amz-server-side-encryption-aws-kms-key-id: !GetAtt BucketKey.Arn}}",
            "every upload names the bucket key: none without the header (SSE-S3, aws:kms on the default key), none with another key"),
        new("BucketPolicy", "DenyMeshWritesButByTheControllerAndOperators", "Deny", Any,
            ["s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:ReplicateObject", "s3:ReplicateDelete"],
            ["${Bucket.Arn}/config/*", "${Bucket.Arn}/ca/*", "${Bucket.Arn}/issued/*", "${Bucket.Arn}/state/*", "${Bucket.Arn}/hosts/*", "${Bucket.Arn}/leader/*"],
            "{ArnNotEquals: {aws:PrincipalArn: {Fn::If: [HasOperatorRole, [!GetAtt TaskRole.Arn, !Ref OperatorRoleArn], [!GetAtt TaskRole.Arn]]}}}",
            "only the controller's task role (and the operators' role, when named) writes or deletes the mesh's objects"),
        new("BucketPolicy", "DenyOverwritingHostInputs", "Deny", Any, ["s3:PutObject"], ["${Bucket.Arn}/hosts/inputs/*"],
            "{Null: {s3:if-none-match: true}}", "an input file is written once (If-None-Match), never overwritten"),

        // ---- the event queue.
        new("EventQueuePolicy", "EventBridgeRulesSend", "Allow", "{Service: events.amazonaws.com}", ["sqs:SendMessage"], ["!GetAtt EventQueue.Arn"],
            "{ArnEquals: {aws:SourceArn: [!GetAtt InstanceStateRule.Arn, !GetAtt TagChangeRule.Arn, !GetAtt CommandStatusRule.Arn]}}",
            "only the stack's three rules send events (instance state, tag change, the agent document's command status)"),
        new("EventQueuePolicy", "DenyPlainHttp", "Deny", Any, ["sqs:*"], ["!GetAtt EventQueue.Arn"],
            "{Bool: {aws:SecureTransport: false}}", "no queue request without TLS"),

        // ---- the hosts' instance profile: the SSM agent's needs and the input files, nothing else.
        new("HostRolePolicy", "SsmAgentReceivesCommands", "Allow", NoPrincipal, PolicyRules.SsmAgentActions, [Any], NoCondition,
            "the SSM agent registers and receives Run Command messages; no parameter, association, inventory or session"),
        new("HostRolePolicy", "DownloadRequestInputs", "Allow", NoPrincipal, ["s3:GetObject"], ["${Bucket.Arn}/hosts/inputs/*"], NoCondition,
            "hosts read the input files, and nothing else of the bucket"),

        // ---- the execution role (ECS pulls images, writes logs, resolves the collector's config).
        new("ExecutionRole", "ReadTheCollectorConfig", "Allow", NoPrincipal, ["ssm:GetParameters"],
            ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/otel-collector-config"], NoCondition,
            "ECS resolves the collector's config parameter; the task role reads no parameter"),

        // ---- the controller's task role (shared with the collector sidecar).
        new("TaskRolePolicy", "ReadInstancesAndSecurityGroups", "Allow", NoPrincipal, ["ec2:DescribeInstances", "ec2:DescribeSecurityGroups"], [Any], NoCondition,
            "reads only: EC2 scopes these to no resource"),
        new("TaskRolePolicy", "ReadVpcInterfacesRangesAndAcls", "Allow", NoPrincipal, ["ec2:DescribeNetworkInterfaces", "ec2:DescribeNetworkAcls", "ec2:DescribeVpcs"], [Any], NoCondition,
            "reads only (EC2 scopes Describe* to no resource): managed-service interfaces kept clear, VPC CIDR blocks, network ACLs"),
        new("TaskRolePolicy", "RunTheAgentDocument", "Allow", NoPrincipal, ["ssm:SendCommand"], [PolicyRules.AgentDocumentArn], NoCondition,
            "the only document the controller may run is the stack's agent document"),
        new("TaskRolePolicy", "CheckTheAgentDocumentAtStart", "Allow", NoPrincipal, ["ssm:DescribeDocument", "ssm:GetDocument"], [PolicyRules.AgentDocumentArn], NoCondition,
            "the start-up check reads the agent document and no other"),
        new("TaskRolePolicy", "FollowCommandsAndAgents", "Allow", NoPrincipal,
            ["ssm:GetCommandInvocation", "ssm:ListCommandInvocations", "ssm:DescribeInstanceInformation"], [Any], NoCondition,
            "reads of command state and agent pings (no resource scoping exists for them)"),
        new("TaskRolePolicy", "WrapTheCaKey", "Allow", NoPrincipal, ["kms:GenerateDataKey", "kms:Decrypt"], ["!GetAtt CaKey.Arn"],
            "{StringEquals: {kms:EncryptionContext:Purpose: ipsec-mesh-ca-key}}", "the CA key envelope, only with its context"),
        new("TaskRolePolicy", "MakeHostSecrets", "Allow", NoPrincipal, ["kms:Encrypt", "kms:GenerateDataKey"], ["!GetAtt HostKey.Arn"],
            "{Null: {kms:EncryptionContext:InstanceId: false, kms:EncryptionContext:InstanceArn: false}, ForAllValues:StringEquals: {kms:EncryptionContextKeys: [InstanceId, InstanceArn]}}",
            "host secrets, only under exactly InstanceId and InstanceArn"),
        new("TaskRolePolicy", "RandomBytes", "Allow", NoPrincipal, ["kms:GenerateRandom"], [Any], NoCondition, "random bytes; no key involved"),
        new("TaskRolePolicy", "SignWithTheCaKey", "Allow", NoPrincipal, ["kms:Sign", "kms:GetPublicKey"], ["!GetAtt CaSigningKey.Arn"], NoCondition,
            "the KMS-signer CA key only"),
        new("TaskRolePolicy", "BucketKeyThroughS3", "Allow", NoPrincipal, ["kms:GenerateDataKey", "kms:Decrypt"], ["!GetAtt BucketKey.Arn"],
            "{StringEquals: {kms:ViaService: s3.${AWS::Region}.amazonaws.com}}", "the bucket key only through S3"),
        new("TaskRolePolicy", "MeshObjects", "Allow", NoPrincipal, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            ["${Bucket.Arn}/ca/*", "${Bucket.Arn}/issued/*", "${Bucket.Arn}/config/*", "${Bucket.Arn}/state/*", "${Bucket.Arn}/leader/*"], NoCondition,
            "the mesh's own prefixes"),
        new("TaskRolePolicy", "WriteHostInputs", "Allow", NoPrincipal, ["s3:PutObject"], ["${Bucket.Arn}/hosts/inputs/*"], NoCondition,
            "input files are written, never read back or deleted"),
        new("TaskRolePolicy", "ListMeshPrefixes", "Allow", NoPrincipal, ["s3:ListBucket"], ["!GetAtt Bucket.Arn"],
            "{StringLike: {s3:prefix: [ca/*, issued/*, config/*, state/*, leader/*]}}", "listings of the mesh's prefixes only"),
        new("TaskRolePolicy", "ConsumeEvents", "Allow", NoPrincipal,
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], ["!GetAtt EventQueue.Arn"], NoCondition,
            "the event queue only"),
        new("TaskRolePolicy", "CollectorWritesEmf", "Allow", NoPrincipal, ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${MetricsLogGroup}:*"], NoCondition,
            "the collector writes metrics to its own log group"),
        new("TaskRolePolicy", "CollectorWritesTraces", "Allow", NoPrincipal, ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], [Any], NoCondition,
            "the collector sends traces to X-Ray (actions without a resource type)"),
        new("TaskRoleTaggedInstancesPolicy", "RunOnlyOnTaggedInstances", "Allow", NoPrincipal, ["ssm:SendCommand"], [Instances],
            "{StringLike: {ssm:resourceTag/${TagKey}: *}}", "commands only on instances that carry the tag"),
        new("TaskRoleTaggedInstancesPolicy", "TagOnlyMeshInstancesWithTheControllersKeys", "Allow", NoPrincipal, ["ec2:CreateTags"], [Instances],
            "{StringLike: {aws:ResourceTag/${TagKey}: *}, ForAllValues:StringEquals: {aws:TagKeys: [${TagKey}, " + OwnTagKeys + "]}, StringEqualsIfExists: {aws:RequestTag/${TagKey}: [enabled, failed, disabled]}, Null: {aws:TagKeys: false}}",
            "tags written only on instances that carry the tag, only the controller's keys, the tag itself only to enabled, failed or disabled"),
        new("TaskRoleTaggedInstancesPolicy", "UntagTheControllersKeysOnMeshInstances", "Allow", NoPrincipal, ["ec2:DeleteTags"], [Instances],
            "{StringLike: {aws:ResourceTag/${TagKey}: *}, ForAllValues:StringEquals: {aws:TagKeys: [" + OwnTagKeys + "]}, Null: {aws:TagKeys: false}}",
            "only the controller's own keys removed, never the tag, on instances that carry it"),
        new("TaskRoleTaggedInstancesPolicy", "UntagTheControllersKeysAfterTheTagWasDeleted", "Allow", NoPrincipal, ["ec2:DeleteTags"], [Instances],
            "{StringLike: {aws:ResourceTag/${TagKey}:Status: *}, ForAllValues:StringEquals: {aws:TagKeys: [" + OwnTagKeys + "]}, Null: {aws:TagKeys: false}}",
            "after a team deleted the tag (off), the controller removes its own keys where its status tag is"),
    ];
}
