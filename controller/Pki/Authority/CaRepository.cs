using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Pki.Authority;

/// <summary>Reads and writes the documents under <c>ca/</c>.</summary>
public sealed class CaRepository(IObjectStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task<(CaStateDocument State, string ETag)?> GetStateAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(CaLayout.StateKey, cancellationToken);
        return stored is null ? null : (Deserialize<CaStateDocument>(stored.Content, CaLayout.StateKey), stored.ETag);
    }

    public Task<bool> CreateStateAsync(CaStateDocument state, CancellationToken cancellationToken) =>
        store.PutIfAbsentAsync(CaLayout.StateKey, Serialize(state), cancellationToken);

    public Task<bool> ReplaceStateAsync(CaStateDocument state, string etag, CancellationToken cancellationToken) =>
        store.PutIfMatchAsync(CaLayout.StateKey, Serialize(state), etag, cancellationToken);

    public async Task<LoadedCa> LoadAsync(string caId, CancellationToken cancellationToken)
    {
        var certificate = await store.GetAsync(CaLayout.CertificateKey(caId), cancellationToken)
            ?? throw new CaStoreException($"CA {caId} is named in {CaLayout.StateKey} but {CaLayout.CertificateKey(caId)} is missing");
        var key = await store.GetAsync(CaLayout.KeyDocumentKey(caId), cancellationToken)
            ?? throw new CaStoreException($"CA {caId} has no key document {CaLayout.KeyDocumentKey(caId)}");
        var pem = Encoding.ASCII.GetString(certificate.Content);
        var parsed = Pem.ParseCertificate(pem);
        if (CaIds.Of(parsed) != caId)
        {
            throw new CaStoreException($"{CaLayout.CertificateKey(caId)} holds a certificate whose id is not {caId}");
        }

        return new LoadedCa(caId, parsed, pem, Deserialize<CaKeyDocument>(key.Content, CaLayout.KeyDocumentKey(caId)));
    }

    /// <summary>Writes a new CA's certificate and key document; both keys are new, so an existing object means a collision.</summary>
    public async Task StoreAsync(string caId, string certificatePem, CaKeyDocument keyDocument, CancellationToken cancellationToken)
    {
        if (!await store.PutIfAbsentAsync(CaLayout.KeyDocumentKey(caId), Serialize(keyDocument), cancellationToken)
            || !await store.PutIfAbsentAsync(CaLayout.CertificateKey(caId), Encoding.ASCII.GetBytes(certificatePem), cancellationToken))
        {
            throw new CaStoreException($"CA {caId} already exists under {CaLayout.Prefix}");
        }
    }

    public async Task DeleteAsync(string caId, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(CaLayout.KeyDocumentKey(caId), cancellationToken);
        await store.DeleteAsync(CaLayout.CertificateKey(caId), cancellationToken);
    }

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private static T Deserialize<T>(byte[] content, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(content, Json) ?? throw new CaStoreException($"{key} is empty");
        }
        catch (JsonException error)
        {
            throw new CaStoreException($"{key} is not a valid document: {error.Message}", error);
        }
    }
}
