using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests;

public class StackTests
{
    private static readonly Template Stack = Template.Load(RepositoryFiles.Stack);

    [Fact]
    public void Every_free_text_parameter_is_constrained()
    {
        var unconstrained = Stack.Parameters
            .Where(p => Node.Text(Node.Get(p.Value, "Type")) is "String" or "Number")
            .Where(p => Node.Get(p.Value, "AllowedPattern") is null && Node.Get(p.Value, "AllowedValues") is null && Node.Get(p.Value, "MinValue") is null)
            .Select(p => p.Key)
            .ToList();

        Assert.Empty(unconstrained);
    }

    [Fact]
    public void Without_leader_election_a_deployment_never_runs_two_controllers()
    {
        var service = Stack.Resource("Service");
        var deployment = Node.Map(service.Property("DeploymentConfiguration"));

        Assert.Equal("{Fn::If: [LeaderElectionOn, 200, 100]}", Node.Render(deployment["MaximumPercent"]));
        Assert.Equal("{Fn::If: [LeaderElectionOn, 100, 0]}", Node.Render(deployment["MinimumHealthyPercent"]));
        Assert.Equal("{Fn::If: [ServiceRunning, 1, 0]}", Node.Render(service.Property("DesiredCount")));
        Assert.Equal("\"false\"", "\"" + Node.Text(Node.Get(Stack.Parameters["LeaderElection"], "Default")) + "\"");
    }

    [Fact]
    public void Leader_election_parameter_reaches_the_controller()
    {
        var environment = Node.List(Node.Get(Node.List(Stack.Resource("TaskDefinition").Property("ContainerDefinitions"))[0], "Environment"));

        Assert.Contains(environment, e => Node.Text(Node.Get(e, "Name")) == "IpsecMesh__LeaderElection__Enabled"
            && Node.Render(Node.Get(e, "Value")) == "!Ref LeaderElection");
    }

    [Fact]
    public void Collector_config_file_is_the_one_the_stack_deploys()
    {
        var deployed = Node.Text(Stack.Resource("CollectorConfig").Property("Value"));

        Assert.Equal(File.ReadAllText(RepositoryFiles.CollectorConfig).ReplaceLineEndings("\n"), deployed);
    }

    [Theory]
    [InlineData("InstancesFailedAlarm", "ipsec_mesh.instances")]
    [InlineData("CertificateExpiryAlarm", "ipsec_mesh.certificate.min_remaining")]
    [InlineData("HeartbeatMissingAlarm", "ipsec_mesh.heartbeat")]
    [InlineData("RolloutStoppedAlarm", "ipsec_mesh.rollout.stopped")]
    [InlineData("ConfigRejectedAlarm", "ipsec_mesh.config.rejected")]
    public void Controller_alarms_read_metrics_whose_dimensions_the_collector_exports(string alarm, string metric)
    {
        var properties = Stack.Resource(alarm).Properties;
        var dimensions = Node.List(properties["Dimensions"]).Select(d => Node.Text(Node.Get(d, "Name"))!).Order(StringComparer.Ordinal);
        var collector = CollectorDeclarations();

        Assert.Equal(metric, Node.Text(properties["MetricName"]));
        Assert.Equal("!Ref MetricsNamespace", Node.Render(properties["Namespace"]));
        Assert.Contains(collector, declaration =>
            declaration.Selectors.Any(s => System.Text.RegularExpressions.Regex.IsMatch(metric, s))
            && declaration.DimensionSets.Any(set => set.Order(StringComparer.Ordinal).SequenceEqual(dimensions)));
        Assert.Equal("!Ref AlarmTopic", Node.Render(Node.List(properties["AlarmActions"])[0]));
    }

    [Fact]
    public void Failed_instances_alarm_waits_fifteen_minutes()
    {
        var properties = Stack.Resource("InstancesFailedAlarm").Properties;

        Assert.Equal(900, int.Parse(Node.Text(properties["Period"])!) * int.Parse(Node.Text(properties["EvaluationPeriods"])!));
        Assert.Equal("failed", Node.List(properties["Dimensions"]).Select(d => Node.Text(Node.Get(d, "Value"))).Last());
    }

    [Fact]
    public void Certificate_alarm_fires_under_fourteen_days()
    {
        var threshold = double.Parse(Node.Text(Stack.Resource("CertificateExpiryAlarm").Property("Threshold"))!);

        Assert.Equal(TimeSpan.FromDays(14), TimeSpan.FromSeconds(threshold));
        Assert.Equal("LessThanThreshold", Node.Text(Stack.Resource("CertificateExpiryAlarm").Property("ComparisonOperator")));
    }

    [Theory]
    [InlineData("RolloutStoppedAlarm")]
    [InlineData("ConfigRejectedAlarm")]
    public void Rollout_and_config_alarms_fire_on_the_first_period_above_zero_and_clear_with_it(string alarm)
    {
        var properties = Stack.Resource(alarm).Properties;

        // Both gauges are 0 in good times and at least 1 while the roll-out is stopped / the policy has errors.
        Assert.Equal("Maximum", Node.Text(properties["Statistic"]));
        Assert.Equal("GreaterThanThreshold", Node.Text(properties["ComparisonOperator"]));
        Assert.Equal(0, double.Parse(Node.Text(properties["Threshold"])!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("1", Node.Text(properties["EvaluationPeriods"]));
        Assert.Equal("notBreaching", Node.Text(properties["TreatMissingData"]));
        Assert.Equal("!Ref AlarmTopic", Node.Render(Node.List(properties["OKActions"])[0]));
    }

    [Fact]
    public void Missing_heartbeat_counts_as_breaching()
    {
        Assert.Equal("breaching", Node.Text(Stack.Resource("HeartbeatMissingAlarm").Property("TreatMissingData")));
    }

    [Fact]
    public void Dead_letter_alarm_watches_the_redrive_target()
    {
        var alarm = Stack.Resource("DeadLetterQueueAlarm").Properties;
        var redrive = Node.Map(Stack.Resource("EventQueue").Property("RedrivePolicy"));

        Assert.Equal("AWS/SQS", Node.Text(alarm["Namespace"]));
        Assert.Equal("ApproximateNumberOfMessagesVisible", Node.Text(alarm["MetricName"]));
        Assert.Equal("!GetAtt DeadLetterQueue.QueueName", Node.Render(Node.Get(Node.List(alarm["Dimensions"])[0], "Value")));
        Assert.Equal("!GetAtt DeadLetterQueue.Arn", Node.Render(redrive["deadLetterTargetArn"]));
    }

    [Fact]
    public void Bucket_is_versioned_encrypted_private_and_expires_issued_certificates()
    {
        var bucket = Stack.Resource("Bucket").Properties;
        var rules = Node.List(Node.Get(bucket["LifecycleConfiguration"], "Rules"));

        Assert.Equal("Enabled", Node.Text(Node.Get(bucket["VersioningConfiguration"], "Status")));
        Assert.Contains("aws:kms", Node.Render(bucket["BucketEncryption"]), StringComparison.Ordinal);
        Assert.All(new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" },
            flag => Assert.Equal("true", Node.Text(Node.Get(bucket["PublicAccessBlockConfiguration"], flag))));
        Assert.Contains(rules, rule => Node.Text(Node.Get(rule, "Prefix")) == "issued/" && Node.Get(rule, "ExpirationInDays") is not null);
        // Input files are content-addressed and immutable; the controller writes one again when it is gone.
        Assert.Contains(rules, rule => Node.Text(Node.Get(rule, "Prefix")) == "hosts/inputs/" && Node.Text(Node.Get(rule, "ExpirationInDays")) == "30");
        // state/host-facts.json is rewritten while hosts change: its old versions go, the current one never expires.
        Assert.Contains(rules, rule => Node.Text(Node.Get(rule, "Prefix")) == "state/" && Node.Get(rule, "ExpirationInDays") is null
            && Node.Render(Node.Get(rule, "NoncurrentVersionExpiration")).Contains("NoncurrentDays", StringComparison.Ordinal));
    }

    [Fact]
    public void Event_rules_target_the_queue_for_state_changes_and_tag_changes_of_the_tag_key()
    {
        var tagRule = Node.Map(Stack.Resource("TagChangeRule").Property("EventPattern"));
        var stateRule = Node.Map(Stack.Resource("InstanceStateRule").Property("EventPattern"));

        Assert.Equal("[Tag Change on Resource]", Node.Render(tagRule["detail-type"]));
        Assert.Equal("[!Ref TagKey]", Node.Render(Node.Get(tagRule["detail"], "changed-tag-keys")));
        Assert.Equal("[EC2 Instance State-change Notification]", Node.Render(stateRule["detail-type"]));
        Assert.All(new[] { "TagChangeRule", "InstanceStateRule" }, rule =>
            Assert.Equal("!GetAtt EventQueue.Arn", Node.Render(Node.Get(Node.List(Stack.Resource(rule).Property("Targets"))[0], "Arn"))));
    }

    [Fact]
    public void Collector_sends_traces_to_xray_with_the_ecs_task_as_resource_and_keeps_metrics_dimensions_as_declared()
    {
        var config = CloudFormationYaml.Load(RepositoryFiles.CollectorConfig);
        var pipelines = Node.Get(Node.Get(config, "service"), "pipelines");
        var traces = Node.Get(pipelines, "traces");
        var metrics = Node.Get(pipelines, "metrics");

        Assert.Equal("[otlp]", Node.Render(Node.Get(traces, "receivers")));
        Assert.Equal("[awsxray]", Node.Render(Node.Get(traces, "exporters")));
        Assert.Equal("[resourcedetection/ecs, batch]", Node.Render(Node.Get(traces, "processors")));
        Assert.Contains("ecs", Node.List(Node.Get(Node.Get(Node.Get(config, "processors"), "resourcedetection/ecs"), "detectors")).Select(Node.Text));
        Assert.NotNull(Node.Get(Node.Get(config, "exporters"), "awsxray"));
        // Resource detection on metrics would add dimensions that neither the EMF declarations nor the alarms name.
        Assert.Equal("[batch]", Node.Render(Node.Get(metrics, "processors")));
        var statements = Policies.PolicyExtractor.Statements(Stack).Where(s => s.Source == "TaskRolePolicy").ToList();
        Assert.Contains(statements, s => s.HasAction("xray:PutTraceSegments") && s.HasAction("xray:PutTelemetryRecords"));
    }

    [Fact]
    public void Command_status_rule_routes_only_ended_commands_of_the_agent_document_to_the_queue()
    {
        var pattern = Node.Map(Stack.Resource("CommandStatusRule").Property("EventPattern"));
        var detail = Node.Map(pattern["detail"]);

        Assert.Equal("[aws.ssm]", Node.Render(pattern["source"]));
        Assert.Equal("[EC2 Command Status-change Notification, EC2 Command Invocation Status-change Notification]", Node.Render(pattern["detail-type"]));
        // Only the stack's own document: another team's Run Command traffic never reaches the controller's queue.
        Assert.Equal("[!Ref AgentDocument]", Node.Render(detail["document-name"]));
        Assert.Equal("[Success, Failed, TimedOut, Cancelled]", Node.Render(detail["status"]));
        Assert.Equal("!GetAtt EventQueue.Arn", Node.Render(Node.Get(Node.List(Stack.Resource("CommandStatusRule").Property("Targets"))[0], "Arn")));
        // The queue policy lets it send: EventQueuePolicy's EventBridgeRulesSend, pinned in Policies/StackPolicy.cs.
    }

    private static List<(List<string> Selectors, List<List<string>> DimensionSets)> CollectorDeclarations()
    {
        var exporter = Node.Get(Node.Get(CloudFormationYaml.Load(RepositoryFiles.CollectorConfig), "exporters"), "awsemf");
        return Node.List(Node.Get(exporter, "metric_declarations"))
            .Select(d => (
                Node.List(Node.Get(d, "metric_name_selectors")).Select(s => Node.Text(s)!).ToList(),
                Node.List(Node.Get(d, "dimensions")).Select(set => Node.List(set).Select(n => Node.Text(n)!).ToList()).ToList()))
            .ToList();
    }
}
