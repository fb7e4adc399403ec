using System.Text.Json.Nodes;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.Kms;

/// <summary>KMS over its JSON 1.1 wire protocol (X-Amz-Target "TrentService.*").</summary>
internal sealed class KmsService(SimulatedKms kms) : JsonService
{
    public override string Name => "kms";

    protected override string TargetPrefix => "TrentService";

    protected override string InternalErrorCode => "KMSInternalException";

    protected override Task<JsonObject> InvokeAsync(string operation, JsonArgs args, CancellationToken cancellationToken) =>
        Task.FromResult(operation switch
        {
            "CreateKey" => CreateKey(args),
            "DescribeKey" => new JsonObject { ["KeyMetadata"] = Metadata(kms.Resolve(args.RequiredString("KeyId"))) },
            "Encrypt" => Encrypt(args),
            "Decrypt" => Decrypt(args),
            "GenerateDataKey" => GenerateDataKey(args),
            "GenerateRandom" => new JsonObject { ["Plaintext"] = Convert.ToBase64String(SimulatedKms.GenerateRandom(args.Int("NumberOfBytes") ?? 32)) },
            "Sign" => Sign(args),
            "GetPublicKey" => GetPublicKey(args),
            "Verify" => Verify(args),
            "CreateAlias" => CreateAlias(args),
            "ListAliases" => ListAliases(),
            "ListKeys" => new JsonObject
            {
                ["Keys"] = new JsonArray(kms.KeyIds().Select(id => (JsonNode?)new JsonObject { ["KeyId"] = id, ["KeyArn"] = kms.KeyArn(id) }).ToArray()),
                ["Truncated"] = false,
            },
            _ => throw UnknownOperation(operation),
        });

    private JsonObject CreateKey(JsonArgs args)
    {
        var spec = args.String("KeySpec") ?? args.String("CustomerMasterKeySpec") ?? KmsKeySpec.Symmetric;
        var usage = args.String("KeyUsage") ?? (spec == KmsKeySpec.Symmetric ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY");
        if ((spec == KmsKeySpec.Symmetric) != (usage == "ENCRYPT_DECRYPT"))
            throw JsonArgs.Validation($"the simulator supports {KmsKeySpec.Symmetric} keys for ENCRYPT_DECRYPT and asymmetric keys for SIGN_VERIFY only");
        var id = kms.CreateKey(spec, args.String("Description") ?? "");
        return new JsonObject { ["KeyMetadata"] = Metadata(kms.Resolve(id)) };
    }

    private JsonObject Encrypt(JsonArgs args)
    {
        var keyId = args.RequiredString("KeyId");
        var blob = kms.Encrypt(keyId, args.RequiredBlob("Plaintext"), args.StringMap("EncryptionContext"));
        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(blob),
            ["KeyId"] = kms.KeyArn(keyId),
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        };
    }

    private JsonObject Decrypt(JsonArgs args)
    {
        var blob = args.RequiredBlob("CiphertextBlob");
        var plaintext = kms.Decrypt(blob, args.StringMap("EncryptionContext"), args.String("KeyId"));
        return new JsonObject
        {
            ["Plaintext"] = Convert.ToBase64String(plaintext),
            ["KeyId"] = kms.KeyArn(System.Text.Encoding.ASCII.GetString(blob, 1, 36)),
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        };
    }

    private JsonObject GenerateDataKey(JsonArgs args)
    {
        var keyId = args.RequiredString("KeyId");
        var bytes = args.Int("NumberOfBytes") ?? args.String("KeySpec") switch
        {
            "AES_256" => 32,
            "AES_128" => 16,
            null => throw JsonArgs.Validation("one of KeySpec or NumberOfBytes is required"),
            var other => throw JsonArgs.Validation($"KeySpec '{other}' is not AES_256 or AES_128"),
        };
        var (plaintext, ciphertext) = kms.GenerateDataKey(keyId, bytes, args.StringMap("EncryptionContext"));
        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(ciphertext),
            ["Plaintext"] = Convert.ToBase64String(plaintext),
            ["KeyId"] = kms.KeyArn(keyId),
        };
    }

    private JsonObject Sign(JsonArgs args)
    {
        var keyId = args.RequiredString("KeyId");
        var algorithm = args.RequiredString("SigningAlgorithm");
        var signature = kms.Sign(keyId, args.RequiredBlob("Message"), algorithm, args.String("MessageType") ?? "RAW");
        return new JsonObject
        {
            ["KeyId"] = kms.KeyArn(keyId),
            ["Signature"] = Convert.ToBase64String(signature),
            ["SigningAlgorithm"] = algorithm,
        };
    }

    private JsonObject Verify(JsonArgs args)
    {
        var keyId = args.RequiredString("KeyId");
        var algorithm = args.RequiredString("SigningAlgorithm");
        var valid = kms.Verify(keyId, args.RequiredBlob("Message"), args.RequiredBlob("Signature"), algorithm, args.String("MessageType") ?? "RAW");
        return new JsonObject { ["KeyId"] = kms.KeyArn(keyId), ["SignatureValid"] = valid, ["SigningAlgorithm"] = algorithm };
    }

    private JsonObject CreateAlias(JsonArgs args)
    {
        var alias = args.RequiredString("AliasName");
        if (kms.Aliases().Any(a => a.Alias == alias)) throw new AwsServiceException(400, "AlreadyExistsException", $"An alias with the name arn:aws:kms:...:{alias} already exists");
        kms.CreateAlias(alias, args.RequiredString("TargetKeyId"));
        return [];
    }

    private JsonObject ListAliases() => new()
    {
        ["Aliases"] = new JsonArray(kms.Aliases().Select(a => (JsonNode?)new JsonObject
        {
            ["AliasName"] = a.Alias,
            ["AliasArn"] = kms.KeyArn(a.KeyId).Split(":key/")[0] + ":" + a.Alias,
            ["TargetKeyId"] = a.KeyId,
        }).ToArray()),
        ["Truncated"] = false,
    };

    private JsonObject GetPublicKey(JsonArgs args)
    {
        var key = kms.Resolve(args.RequiredString("KeyId"));
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["PublicKey"] = Convert.ToBase64String(key.PublicKey()),
            ["KeySpec"] = key.KeySpec,
            ["CustomerMasterKeySpec"] = key.KeySpec,
            ["KeyUsage"] = key.KeyUsage,
            ["SigningAlgorithms"] = new JsonArray(key.SigningAlgorithms.Select(a => (JsonNode?)a).ToArray()),
        };
    }

    private static JsonObject Metadata(KmsKey key) => new()
    {
        ["AWSAccountId"] = key.Arn.Split(':')[4],
        ["KeyId"] = key.KeyId,
        ["Arn"] = key.Arn,
        ["CreationDate"] = Epoch(key.CreationDate),
        ["Enabled"] = true,
        ["Description"] = key.Description,
        ["KeyUsage"] = key.KeyUsage,
        ["KeyState"] = "Enabled",
        ["Origin"] = "AWS_KMS",
        ["KeyManager"] = "CUSTOMER",
        ["KeySpec"] = key.KeySpec,
        ["CustomerMasterKeySpec"] = key.KeySpec,
        ["MultiRegion"] = false,
        ["EncryptionAlgorithms"] = key.Symmetric is null ? null : new JsonArray("SYMMETRIC_DEFAULT"),
        ["SigningAlgorithms"] = key.Symmetric is null ? new JsonArray(key.SigningAlgorithms.Select(a => (JsonNode?)a).ToArray()) : null,
    };
}
