using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Kms;
using IpsecMesh.Simulator.State;

namespace IpsecMesh.Simulator;

/// <summary>
/// The simulated KMS: keys, envelope encryption with enforced encryption context, signing. The wire
/// service and virtual hosts (which decrypt their own secrets) share it. An instance-bound key carries the
/// stack's host key policy (<see cref="HostKeyPolicy"/>). Errors are <see cref="AwsServiceException"/>s with KMS's codes.
/// </summary>
public sealed class SimulatedKms : IDisposable
{
    private const byte CiphertextVersion = 1;
    private const int KeyIdLength = 36;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly ConcurrentDictionary<string, KmsKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly string _region;
    private readonly string _account;
    private readonly SeededRandom _random;
    private readonly TimeProvider _time;

    internal SimulatedKms(string region, string account, SeededRandom random, TimeProvider time)
    {
        _region = region;
        _account = account;
        _random = random;
        _time = time;
    }

    /// <summary>Creates a key; returns its key id. Symmetric keys encrypt, asymmetric ones sign.</summary>
    public string CreateKey(string keySpec = KmsKeySpec.Symmetric, string description = "") => CreateKey(keySpec, description, instanceBound: false);

    /// <summary>Creates a symmetric key under the stack's host key policy (<see cref="HostKeyPolicy"/>).</summary>
    public string CreateInstanceBoundKey(string description = "") => CreateKey(KmsKeySpec.Symmetric, description, instanceBound: true);

    private string CreateKey(string keySpec, string description, bool instanceBound)
    {
        if (!KmsKeySpec.IsKnown(keySpec)) throw new AwsServiceException(400, "ValidationException", $"KeySpec '{keySpec}' is not supported by the simulator");
        var id = _random.Guid().ToString();
        var key = new KmsKey
        {
            KeyId = id,
            Arn = $"arn:aws:kms:{_region}:{_account}:key/{id}",
            KeySpec = keySpec,
            KeyUsage = keySpec == KmsKeySpec.Symmetric ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY",
            CreationDate = _time.GetUtcNow(),
            Description = description,
            InstanceBound = instanceBound,
            Symmetric = keySpec == KmsKeySpec.Symmetric ? RandomNumberGenerator.GetBytes(32) : null,
            Ecdsa = keySpec switch
            {
                KmsKeySpec.EccNistP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
                KmsKeySpec.EccNistP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
                _ => null,
            },
            Rsa = keySpec switch
            {
                KmsKeySpec.Rsa2048 => RSA.Create(2048),
                KmsKeySpec.Rsa3072 => RSA.Create(3072),
                KmsKeySpec.Rsa4096 => RSA.Create(4096),
                _ => null,
            },
        };
        _keys[id] = key;
        return id;
    }

    internal KmsState Export() => new(
        _keys.Values.OrderBy(k => k.CreationDate).Select(k => new KmsKeyState(k.KeyId, k.Arn, k.KeySpec, k.KeyUsage, k.CreationDate, k.Description, k.InstanceBound,
            k.Symmetric?.ToArray(), k.Ecdsa?.ExportPkcs8PrivateKey() ?? k.Rsa?.ExportPkcs8PrivateKey())).ToArray(),
        new Dictionary<string, string>(_aliases, StringComparer.Ordinal));

    internal void Import(KmsState state)
    {
        foreach (var k in state.Keys)
        {
            ECDsa? ecdsa = null;
            RSA? rsa = null;
            if (k.PrivateKeyPkcs8 is { } pkcs8)
            {
                if (k.KeySpec.StartsWith("ECC", StringComparison.Ordinal)) (ecdsa = ECDsa.Create()).ImportPkcs8PrivateKey(pkcs8, out _);
                else (rsa = RSA.Create()).ImportPkcs8PrivateKey(pkcs8, out _);
            }
            _keys[k.KeyId] = new KmsKey
            {
                KeyId = k.KeyId, Arn = k.Arn, KeySpec = k.KeySpec, KeyUsage = k.KeyUsage, CreationDate = k.CreationDate, Description = k.Description,
                InstanceBound = k.InstanceBound, Symmetric = k.Symmetric, Ecdsa = ecdsa, Rsa = rsa,
            };
        }
        foreach (var (alias, keyId) in state.Aliases) _aliases[alias] = keyId;
    }

    public void CreateAlias(string aliasName, string keyId)
    {
        if (!aliasName.StartsWith("alias/", StringComparison.Ordinal)) throw new AwsServiceException(400, "ValidationException", "alias names start with 'alias/'");
        _aliases[aliasName] = Resolve(keyId).KeyId;
    }

    public string KeyArn(string keyId) => Resolve(keyId).Arn;

    public byte[] Encrypt(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string>? encryptionContext = null)
    {
        var key = Resolve(keyId);
        HostKeyPolicy.AuthorizeEncrypt(key, "kms:Encrypt", encryptionContext);
        return Seal(key, plaintext, encryptionContext);
    }

    private static byte[] Seal(KmsKey key, byte[] plaintext, IReadOnlyDictionary<string, string>? encryptionContext)
    {
        if (key.Symmetric is null) throw new AwsServiceException(400, "InvalidKeyUsageException", $"{key.Arn} is not an ENCRYPT_DECRYPT key");
        if (plaintext.Length is < 1 or > 4096) throw new AwsServiceException(400, "ValidationException", "Plaintext must be 1 to 4096 bytes");
        var blob = new byte[1 + KeyIdLength + NonceLength + TagLength + plaintext.Length];
        blob[0] = CiphertextVersion;
        Encoding.ASCII.GetBytes(key.KeyId, blob.AsSpan(1, KeyIdLength));
        var nonce = blob.AsSpan(1 + KeyIdLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Symmetric, TagLength);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + KeyIdLength + NonceLength + TagLength), blob.AsSpan(1 + KeyIdLength + NonceLength, TagLength),
            AssociatedData(encryptionContext));
        return blob;
    }

    /// <summary>
    /// Decrypts; the encryption context must equal the one given to Encrypt (else InvalidCiphertextException). No key
    /// policy is checked here: a host decrypts through <see cref="DecryptAsInstance"/>.
    /// </summary>
    public byte[] Decrypt(byte[] ciphertext, IReadOnlyDictionary<string, string>? encryptionContext = null, string? keyId = null)
    {
        var key = KeyOf(ciphertext);
        if (keyId is not null && Resolve(keyId).KeyId != key.KeyId)
            throw new AwsServiceException(400, "IncorrectKeyException", "The key ID in the request does not identify the key that encrypted the ciphertext");
        var plaintext = new byte[ciphertext.Length - 1 - KeyIdLength - NonceLength - TagLength];
        try
        {
            using var aes = new AesGcm(key.Symmetric!, TagLength);
            aes.Decrypt(ciphertext.AsSpan(1 + KeyIdLength, NonceLength), ciphertext.AsSpan(1 + KeyIdLength + NonceLength + TagLength),
                ciphertext.AsSpan(1 + KeyIdLength + NonceLength, TagLength), plaintext, AssociatedData(encryptionContext));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new AwsServiceException(400, "InvalidCiphertextException", "The ciphertext or its encryption context is not valid");
        }
        return plaintext;
    }

    /// <summary>
    /// Decrypt called by an instance's role (<c>aws kms decrypt</c> on the host): the host key's policy first, with
    /// <paramref name="sourceInstanceArn"/> as <c>ec2:SourceInstanceARN</c> (AccessDeniedException), then <see cref="Decrypt"/>.
    /// </summary>
    public byte[] DecryptAsInstance(byte[] ciphertext, IReadOnlyDictionary<string, string>? encryptionContext, string sourceInstanceArn)
    {
        HostKeyPolicy.AuthorizeInstanceDecrypt(KeyOf(ciphertext), encryptionContext, sourceInstanceArn);
        return Decrypt(ciphertext, encryptionContext);
    }

    /// <summary>A fresh data key and its ciphertext under <paramref name="keyId"/>.</summary>
    public (byte[] Plaintext, byte[] Ciphertext) GenerateDataKey(string keyId, int numberOfBytes, IReadOnlyDictionary<string, string>? encryptionContext = null)
    {
        if (numberOfBytes is < 1 or > 1024) throw new AwsServiceException(400, "ValidationException", "NumberOfBytes must be 1 to 1024");
        var key = Resolve(keyId);
        HostKeyPolicy.AuthorizeEncrypt(key, "kms:GenerateDataKey", encryptionContext);
        var plaintext = RandomNumberGenerator.GetBytes(numberOfBytes);
        return (plaintext, Seal(key, plaintext, encryptionContext));
    }

    /// <summary>The key a ciphertext blob names.</summary>
    private KmsKey KeyOf(byte[] ciphertext)
    {
        if (ciphertext.Length < 1 + KeyIdLength + NonceLength + TagLength || ciphertext[0] != CiphertextVersion)
            throw new AwsServiceException(400, "InvalidCiphertextException", "The ciphertext is not a valid KMS ciphertext blob");
        var embeddedId = Encoding.ASCII.GetString(ciphertext, 1, KeyIdLength);
        return _keys.TryGetValue(embeddedId, out var key)
            ? key
            : throw new AwsServiceException(400, "InvalidCiphertextException", "The ciphertext refers to a key that does not exist");
    }

    public static byte[] GenerateRandom(int numberOfBytes) =>
        numberOfBytes is < 1 or > 1024
            ? throw new AwsServiceException(400, "ValidationException", "NumberOfBytes must be 1 to 1024")
            : RandomNumberGenerator.GetBytes(numberOfBytes);

    /// <summary>Signs like KMS: ECDSA signatures DER-encoded, RSA PKCS#1 v1.5 or PSS; messageType RAW or DIGEST.</summary>
    public byte[] Sign(string keyId, byte[] message, string signingAlgorithm, string messageType = "RAW")
    {
        var (key, hash, digest) = SigningInput(keyId, message, signingAlgorithm, messageType);
        if (key.Ecdsa is not null) return key.Ecdsa.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
        return key.Rsa!.SignHash(digest, hash, Padding(signingAlgorithm));
    }

    /// <summary>Verifies like KMS: true, or KMSInvalidSignatureException (KMS never answers SignatureValid false).</summary>
    public bool Verify(string keyId, byte[] message, byte[] signature, string signingAlgorithm, string messageType = "RAW")
    {
        var (key, hash, digest) = SigningInput(keyId, message, signingAlgorithm, messageType);
        var valid = key.Ecdsa is not null
            ? key.Ecdsa.VerifyHash(digest, signature, DSASignatureFormat.Rfc3279DerSequence)
            : key.Rsa!.VerifyHash(digest, signature, hash, Padding(signingAlgorithm));
        return valid ? true : throw new AwsServiceException(400, "KMSInvalidSignatureException", "The signature is not valid for this key, message and algorithm");
    }

    private (KmsKey Key, HashAlgorithmName Hash, byte[] Digest) SigningInput(string keyId, byte[] message, string signingAlgorithm, string messageType)
    {
        var key = Resolve(keyId);
        if (key.KeyUsage != "SIGN_VERIFY") throw new AwsServiceException(400, "InvalidKeyUsageException", $"{key.Arn} is not a SIGN_VERIFY key");
        if (!key.SigningAlgorithms.Contains(signingAlgorithm))
            throw new AwsServiceException(400, "InvalidKeyUsageException", $"{signingAlgorithm} is not valid for {key.KeySpec} key {key.Arn}");
        if (message.Length is < 1 or > 4096) throw new AwsServiceException(400, "ValidationException", "Message must be 1 to 4096 bytes");
        var hash = signingAlgorithm[^3..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        var digest = messageType switch
        {
            "RAW" => Hash(hash, message),
            "DIGEST" => message.Length == HashLength(hash) ? message
                : throw new AwsServiceException(400, "ValidationException", $"a {hash.Name} digest is {HashLength(hash)} bytes"),
            _ => throw new AwsServiceException(400, "ValidationException", $"MessageType '{messageType}' is not RAW or DIGEST"),
        };
        return (key, hash, digest);
    }

    private static RSASignaturePadding Padding(string signingAlgorithm) =>
        signingAlgorithm.StartsWith("RSASSA_PSS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;

    /// <summary>Aliases and the key ids they name, for ListAliases.</summary>
    public IReadOnlyList<(string Alias, string KeyId)> Aliases() =>
        _aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value)).ToArray();

    /// <summary>Every key's id, for ListKeys.</summary>
    public IReadOnlyList<string> KeyIds() => _keys.Values.OrderBy(k => k.CreationDate).ThenBy(k => k.KeyId, StringComparer.Ordinal).Select(k => k.KeyId).ToArray();

    /// <summary>The DER SubjectPublicKeyInfo of an asymmetric key.</summary>
    public byte[] GetPublicKey(string keyId) => Resolve(keyId).PublicKey();

    internal KmsKey Resolve(string keyIdOrArnOrAlias)
    {
        var id = keyIdOrArnOrAlias;
        var slash = id.IndexOf(":key/", StringComparison.Ordinal);
        if (slash >= 0) id = id[(slash + 5)..];
        var alias = id.IndexOf("alias/", StringComparison.Ordinal);
        if (alias >= 0 && !_aliases.TryGetValue(id[alias..], out id))
            throw new AwsServiceException(400, "NotFoundException", $"Alias {keyIdOrArnOrAlias} is not found.");
        return _keys.TryGetValue(id!, out var key) ? key : throw new AwsServiceException(400, "NotFoundException", $"Key '{keyIdOrArnOrAlias}' does not exist");
    }

    private static byte[] AssociatedData(IReadOnlyDictionary<string, string>? context) =>
        context is null || context.Count == 0
            ? []
            : JsonSerializer.SerializeToUtf8Bytes(context.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new[] { p.Key, p.Value }).ToArray());

    private static byte[] Hash(HashAlgorithmName name, byte[] data) =>
        name == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : name == HashAlgorithmName.SHA384 ? SHA384.HashData(data) : SHA512.HashData(data);

    private static int HashLength(HashAlgorithmName name) => name == HashAlgorithmName.SHA256 ? 32 : name == HashAlgorithmName.SHA384 ? 48 : 64;

    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
        _keys.Clear();
    }
}
