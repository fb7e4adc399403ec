namespace IpsecMesh.Deploy.Tests.Policies;

/// <summary>
/// The least-privilege rules every template of ours must satisfy. Each rule returns one line
/// per violation, so a failing test names the statement at fault.
/// </summary>
public static class PolicyRules
{
    private static readonly string[] MeshPrefixes = ["/ca/*", "/issued/*", "/config/*", "/state/*", "/leader/*", "/hosts/inputs/*"];

    /// <summary>The stack's agent document: the only document SendCommand may name.</summary>
    public const string AgentDocumentArn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/${AgentDocument}";

    /// <summary>
    /// What the SSM agent on a host calls that IAM defines without a resource type (so only on "*"):
    /// registration and pings, and the two message channels Run Command arrives on.
    /// </summary>
    public static readonly string[] SsmAgentActions =
    [
        "ssm:UpdateInstanceInformation",
        "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
        "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
        "ssmmessages:CreateControlChannel", "ssmmessages:OpenControlChannel",
    ];
    /// <summary>
    /// What the collector sidecar (on the task role) calls to send traces to X-Ray, which IAM defines without a resource
    /// type (so only on "*").
    /// </summary>
    public static readonly string[] XRayWriteActions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

    private static readonly string[] ReadVerbs = ["Describe", "Get", "List"];
    private static readonly string[] KeyUseActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:Sign", "kms:ReEncryptFrom", "kms:ReEncryptTo"];

    public static IReadOnlyDictionary<string, Func<Template, IEnumerable<string>>> All { get; } =
        new Dictionary<string, Func<Template, IEnumerable<string>>>(StringComparer.Ordinal)
        {
            ["no Action *"] = NoWildcardAction,
            ["no write action on Resource *"] = NoWriteOnAnyResource,
            ["KMS scoped"] = KmsScoped,
            ["S3 scoped"] = S3Scoped,
            ["tag writes limited to the mesh tag keys"] = TagWritesScoped,
            ["SendCommand limited to the agent document and tagged instances"] = SendCommandScoped,
            ["tag writes only on instances carrying the tag"] = TagWritesOnMeshInstancesOnly,
            ["hosts read no SSM parameter"] = HostsReadNoParameters,
        };

    public static IEnumerable<string> NoWildcardAction(Template template) =>
        PolicyExtractor.Statements(template)
            .Where(s => s.Allows && s.Actions.Any(a => a == "*"))
            .Select(s => "Action * in " + s);

    public static IEnumerable<string> NoWriteOnAnyResource(Template template) =>
        Identity(template)
            .Where(s => s.OnAnyResource)
            .SelectMany(s => s.Actions.Where(a => IsWrite(a) && !(s.Source == "HostRolePolicy" && SsmAgentActions.Contains(a, StringComparer.Ordinal))
                    && !(s.Source == "TaskRolePolicy" && XRayWriteActions.Contains(a, StringComparer.Ordinal)))
                .Select(a => $"write action {a} on Resource * in {s}"));

    public static IEnumerable<string> KmsScoped(Template template)
    {
        foreach (var statement in Identity(template))
        {
            foreach (var action in statement.Actions.Where(a => a.StartsWith("kms:", StringComparison.OrdinalIgnoreCase)))
            {
                if (action == "kms:*" || (statement.OnAnyResource && action != "kms:GenerateRandom"))
                {
                    yield return $"{action} not scoped to one key in {statement}";
                }
            }
        }

        foreach (var statement in PolicyExtractor.Statements(template).Where(s => s.Kind == PolicyKind.Key && s.Allows))
        {
            var principal = Yaml.Node.Render(statement.Principal);
            if (principal.Contains('*', StringComparison.Ordinal))
            {
                yield return "key policy open to every principal in " + statement;
            }

            if (statement.HasAction("kms:*"))
            {
                yield return "key policy grants kms:* in " + statement;
            }

            var uses = statement.Actions.Where(a => KeyUseActions.Any(u => a.StartsWith(u, StringComparison.OrdinalIgnoreCase))).ToList();
            if (uses.Count > 0 && principal.Contains(":root", StringComparison.Ordinal))
            {
                yield return "key policy lets the whole account use the key in " + statement;
            }

            if (statement.HasAction("kms:Decrypt") && statement.Condition.Count == 0)
            {
                yield return "kms:Decrypt without an encryption context or service condition in " + statement;
            }
        }
    }

    public static IEnumerable<string> S3Scoped(Template template)
    {
        foreach (var statement in Identity(template))
        {
            foreach (var action in statement.Actions.Where(a => a.StartsWith("s3:", StringComparison.OrdinalIgnoreCase)))
            {
                if (action.Contains('*', StringComparison.Ordinal) || statement.OnAnyResource)
                {
                    yield return $"{action} not scoped in {statement}";
                }
                else if (action.EndsWith("Object", StringComparison.OrdinalIgnoreCase)
                    && statement.Resources.Any(r => !MeshPrefixes.Any(p => r.EndsWith(p, StringComparison.Ordinal))))
                {
                    yield return $"{action} outside ca/, issued/, config/, state/, leader/, hosts/inputs/ in {statement}";
                }
                else if (action == "s3:ListBucket" && !statement.HasConditionKey("s3:prefix"))
                {
                    yield return "s3:ListBucket without an s3:prefix condition in " + statement;
                }
            }
        }

        var bucketStatements = PolicyExtractor.Statements(template).Where(s => s.Kind == PolicyKind.Bucket).ToList();
        if (template.ResourcesOfType("AWS::S3::Bucket").Any()
            && !bucketStatements.Any(s => s.Effect == "Deny" && s.HasConditionKey("aws:SecureTransport")))
        {
            yield return "no bucket policy denies requests without TLS";
        }
    }

    public static IEnumerable<string> TagWritesScoped(Template template) =>
        Identity(template)
            .Where(s => s.HasAction("ec2:CreateTags") || s.HasAction("ec2:DeleteTags"))
            .Where(s => !s.HasConditionKey("aws:TagKeys") || !s.Condition.ContainsKey("ForAllValues:StringEquals"))
            .Select(s => "tag writes not limited by ForAllValues aws:TagKeys in " + s);

    public static IEnumerable<string> SendCommandScoped(Template template) =>
        Identity(template)
            .Where(s => s.HasAction("ssm:SendCommand") || s.Actions.Any(a => a is "ssm:*" or "ssm:Send*"))
            .SelectMany(s => s.Resources
                .Where(r => r != AgentDocumentArn
                    && !(r.EndsWith(":instance/*", StringComparison.Ordinal) && s.Operator("StringLike").Keys.Any(k => k.StartsWith("ssm:resourceTag/", StringComparison.Ordinal))))
                .Select(r => $"ssm:SendCommand on {r} is neither the stack's agent document nor a tagged instance in {s}"));

    /// <summary>CreateTags and DeleteTags only with the controller's keys, only on instances that carry the tag (or, to clean up, its status tag).</summary>
    public static IEnumerable<string> TagWritesOnMeshInstancesOnly(Template template) =>
        Identity(template)
            .Where(s => s.HasAction("ec2:CreateTags") || s.HasAction("ec2:DeleteTags") || s.Actions.Any(a => a is "ec2:*" or "ec2:*Tags"))
            .Where(s => !s.Operator("StringLike").Keys.Any(k => k.StartsWith("aws:ResourceTag/", StringComparison.Ordinal))
                || !s.Operator("ForAllValues:StringEquals").ContainsKey("aws:TagKeys")
                || Yaml.Node.Render(s.Operator("Null").GetValueOrDefault("aws:TagKeys")) != "false")
            .Select(s => "tag writes not limited to mesh instances and the controller's keys in " + s);

    /// <summary>The host role: no managed policy (AmazonSSMManagedInstanceCore reads every parameter), no parameter read.</summary>
    public static IEnumerable<string> HostsReadNoParameters(Template template)
    {
        foreach (var role in template.ResourcesOfType("AWS::IAM::Role").Where(r => r.LogicalId == "HostRole"))
            if (role.Property("ManagedPolicyArns") is { } managed)
                yield return "the host role has managed policies: " + Yaml.Node.Render(managed);
        var hostPolicies = template.ResourcesOfType("AWS::IAM::Policy")
            .Where(p => Yaml.Node.Render(p.Property("Roles")).Contains("!Ref HostRole", StringComparison.Ordinal))
            .Select(p => p.LogicalId)
            .Append("HostRole")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var statement in Identity(template).Where(s => hostPolicies.Contains(s.Source)))
            foreach (var action in statement.Actions.Where(a => a.StartsWith("ssm:GetParameter", StringComparison.OrdinalIgnoreCase) || a is "ssm:*" or "ssm:Get*" or "*"))
                yield return $"hosts may {action} in {statement}";
    }

    private static IEnumerable<PolicyStatement> Identity(Template template) =>
        PolicyExtractor.Statements(template).Where(s => s.Kind == PolicyKind.Identity && s.Allows);

    private static bool IsWrite(string action)
    {
        var verb = action.Contains(':', StringComparison.Ordinal) ? action[(action.IndexOf(':', StringComparison.Ordinal) + 1)..] : action;

        // GenerateRandom touches no resource and cannot be scoped to one.
        return action != "kms:GenerateRandom" && !ReadVerbs.Any(read => verb.StartsWith(read, StringComparison.Ordinal));
    }
}
