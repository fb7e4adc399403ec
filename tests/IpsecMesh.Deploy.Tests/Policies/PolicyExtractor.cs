using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests.Policies;

/// <summary>
/// Collects every policy statement of a template: role inline policies, IAM policies (also those
/// written as a <c>!Sub</c> JSON string), KMS key policies, bucket and queue policies. Both branches
/// of an <c>Fn::If</c> count, so a conditional statement is checked whichever way it resolves.
/// </summary>
public static class PolicyExtractor
{
    public static IReadOnlyList<PolicyStatement> Statements(Template template)
    {
        var statements = new List<PolicyStatement>();
        foreach (var pair in template.Resources)
        {
            var resource = new TemplateResource(pair.Key, Node.Map(pair.Value));
            foreach (var (kind, document) in Documents(resource))
            {
                statements.AddRange(FromDocument(resource.LogicalId, kind, document));
            }
        }

        return statements;
    }

    private static IEnumerable<(PolicyKind Kind, object? Document)> Documents(TemplateResource resource)
    {
        switch (resource.Type)
        {
            case "AWS::IAM::Role":
                foreach (var policy in resource.Property("Policies") is { } policies ? Node.List(policies) : [])
                {
                    yield return (PolicyKind.Identity, Node.Get(policy, "PolicyDocument"));
                }

                break;
            case "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy":
                yield return (PolicyKind.Identity, resource.Property("PolicyDocument"));
                break;
            case "AWS::KMS::Key":
                yield return (PolicyKind.Key, resource.Property("KeyPolicy"));
                break;
            case "AWS::S3::BucketPolicy":
                yield return (PolicyKind.Bucket, resource.Property("PolicyDocument"));
                break;
            case "AWS::SQS::QueuePolicy":
                yield return (PolicyKind.Queue, resource.Property("PolicyDocument"));
                break;
        }
    }

    private static IEnumerable<PolicyStatement> FromDocument(string source, PolicyKind kind, object? document)
    {
        if (Node.Get(document, "Fn::Sub") is string json)
        {
            document = JsonValues.Parse(json);
        }

        foreach (var statement in Node.OneOrMany(Node.Get(document, "Statement")).SelectMany(Branches))
        {
            yield return new PolicyStatement(
                source,
                Node.Text(Node.Get(statement, "Sid")) ?? string.Empty,
                kind,
                Node.Text(Node.Get(statement, "Effect")) ?? string.Empty,
                Node.OneOrMany(Node.Get(statement, "Action")).Select(Node.Render).ToList(),
                Node.Get(statement, "Resource") is { } resource ? Node.OneOrMany(resource).Select(Node.Render).ToList() : [],
                Node.Get(statement, "Principal"),
                Node.Get(statement, "Condition") as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>());
        }
    }

    private static IEnumerable<IReadOnlyDictionary<string, object?>> Branches(object? statement)
    {
        if (Node.Get(statement, "Fn::If") is IReadOnlyList<object?> branches)
        {
            return branches.Skip(1).SelectMany(Branches);
        }

        return statement is IReadOnlyDictionary<string, object?> map && !map.ContainsKey("Ref") ? [map] : [];
    }
}
