namespace IpsecMesh.Simulator.Kms;

/// <summary>
/// The key policy deploy/ipsec-mesh.yaml gives the host key, as KMS enforces it before it looks at a ciphertext:
/// the controller encrypts only with an encryption context of exactly InstanceId and InstanceArn; an instance's
/// role decrypts only with exactly those keys and InstanceArn equal to its own ARN (<c>ec2:SourceInstanceARN</c>).
/// Refusals are AccessDeniedException, as from KMS.
/// </summary>
internal static class HostKeyPolicy
{
    public const string InstanceIdKey = "InstanceId";
    public const string InstanceArnKey = "InstanceArn";

    /// <summary>ControllerMakesHostSecrets: kms:Encrypt and kms:GenerateDataKey.</summary>
    public static void AuthorizeEncrypt(KmsKey key, string action, IReadOnlyDictionary<string, string>? context)
    {
        if (!key.InstanceBound) return;
        if (!HasExactlyTheInstanceKeys(context))
            throw Denied("the controller", action, key, "the encryption context must hold exactly InstanceId and InstanceArn");
    }

    /// <summary>HostDecryptsOnlyItsOwnSecret: kms:Decrypt by the role session of the instance <paramref name="sourceInstanceArn"/>.</summary>
    public static void AuthorizeInstanceDecrypt(KmsKey key, IReadOnlyDictionary<string, string>? context, string sourceInstanceArn)
    {
        var caller = "the role session of " + sourceInstanceArn;
        if (!key.InstanceBound) throw Denied(caller, "kms:Decrypt", key, "an instance role may use only the host key");
        if (!HasExactlyTheInstanceKeys(context))
            throw Denied(caller, "kms:Decrypt", key, "the encryption context must hold exactly InstanceId and InstanceArn");
        if (!string.Equals(context![InstanceArnKey], sourceInstanceArn, StringComparison.Ordinal))
            throw Denied(caller, "kms:Decrypt", key, "kms:EncryptionContext:InstanceArn is not ec2:SourceInstanceARN");
    }

    private static bool HasExactlyTheInstanceKeys(IReadOnlyDictionary<string, string>? context) =>
        context is { Count: 2 } && context.ContainsKey(InstanceIdKey) && context.ContainsKey(InstanceArnKey);

    private static AwsServiceException Denied(string caller, string action, KmsKey key, string why) =>
        new(400, "AccessDeniedException",
            $"{caller} is not authorized to perform: {action} on resource: {key.Arn} because no resource-based policy allows the {action} action ({why})");
}
