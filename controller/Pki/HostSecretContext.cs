using System.Text.RegularExpressions;

namespace IpsecMesh.Pki;

/// <summary>
/// The KMS encryption context of a host secret (the PKCS#12 password of enrolment mode ControllerKey):
/// exactly <c>{"InstanceId": id, "InstanceArn": arn}</c>. The stack's host key lets a host decrypt only when
/// <c>InstanceArn</c> equals <c>ec2:SourceInstanceARN</c> (IAM cannot cut the id out of that ARN), and only
/// with these two keys; the host agent sends back the same pair, built from its instance identity document.
/// </summary>
public static partial class HostSecretContext
{
    public const string InstanceIdKey = "InstanceId";
    public const string InstanceArnKey = "InstanceArn";

    /// <summary>The context's keys, all of them: the stack's policies allow no other.</summary>
    public static IReadOnlyList<string> Keys { get; } = [InstanceIdKey, InstanceArnKey];

    /// <summary>The context of <paramref name="identity"/>'s secret; its ARN must name that instance.</summary>
    /// <exception cref="ArgumentException">The instance ARN is missing, malformed or names another instance.</exception>
    public static IReadOnlyDictionary<string, string> Of(HostIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var match = InstanceArnPattern().Match(identity.InstanceArn);
        if (!match.Success || match.Groups["id"].Value != identity.InstanceId)
        {
            throw new ArgumentException(
                $"the instance ARN '{identity.InstanceArn}' is not the EC2 ARN of {identity.InstanceId}: a host secret is bound to both", nameof(identity));
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [InstanceIdKey] = identity.InstanceId,
            [InstanceArnKey] = identity.InstanceArn,
        };
    }

    [GeneratedRegex("^arn:aws(-[a-z]+)*:ec2:[a-z0-9-]+:[0-9]{12}:instance/(?<id>i-[0-9a-f]+)$")]
    private static partial Regex InstanceArnPattern();
}
