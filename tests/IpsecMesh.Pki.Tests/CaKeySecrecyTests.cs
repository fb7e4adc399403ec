using System.Security.Cryptography;
using System.Text;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Signing;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

/// <summary>The plaintext CA key lives only in memory: not in the bucket, not on disk, not in a log line or an exception.</summary>
public sealed class CaKeySecrecyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(CaAlgorithm.EcdsaP384)]
    [InlineData(CaAlgorithm.Rsa4096)]
    public async Task Ca_key_never_reaches_the_bucket_the_disk_or_the_logs(CaAlgorithm algorithm)
    {
        using var scratch = new TempDirectory();
        var marker = scratch.Write("started", "marker");
        using var pki = PkiFixture.Unstarted(PkiFixture.DefaultOptions(algorithm));
        var init = await pki.Administration.InitAsync(withBackup: true, Ct);
        var exceptions = new List<Exception>();

        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0bbbb"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0aaaa"], "terminated", Ct);
        await pki.Administration.ShowAsync(Ct);
        var secrets = await SecretFormsAsync(pki, init.Ca.CaId);
        await pki.Administration.RotateAsync(null, Ct);
        pki.Time.Advance(TimeSpan.FromMinutes(2));
        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Rsa), Hosts.Identity("i-0cccc"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0bbbb"], "opted out", Ct);
        exceptions.Add(await Assert.ThrowsAnyAsync<Exception>(() => pki.Administration.InitAsync(withBackup: false, Ct)));
        exceptions.Add(await TamperedEnvelopeFailureAsync(pki, init.Ca.CaId));

        Assert.Contains(pki.Logs.Lines, line => line.Contains("Opened the key of CA", StringComparison.Ordinal));
        AssertFree("log output", Encoding.UTF8.GetBytes(pki.Logs.AllText), secrets);
        AssertFree("exception messages", Encoding.UTF8.GetBytes(string.Join('\n', exceptions.Select(error => error.ToString()))), secrets);
        foreach (var key in pki.Memory.Keys)
        {
            AssertFree($"bucket object {key}", (await pki.Memory.GetAsync(key, Ct))!.Content, secrets);
        }

        AssertFree("the backup", Encoding.ASCII.GetBytes(init.Backup!.EncryptedPrivateKeyPem), secrets);
        Assert.DoesNotContain(init.Backup.Password, init.Backup.ToString(), StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromMilliseconds(20), Ct);
        var canary = scratch.Write("canary", "written after the marker, so the scan must find it");
        var written = FilesWrittenSince(marker);
        Assert.Contains(canary, written);
        foreach (var file in written)
        {
            if (TryRead(file) is { } content)
            {
                AssertFree($"file {file}", content, secrets);
            }
        }
    }

    [Theory]
    [InlineData(CaAlgorithm.EcdsaP384)]
    [InlineData(CaAlgorithm.Rsa4096)]
    public async Task Leak_detector_finds_the_key_in_a_plaintext_pem_export(CaAlgorithm algorithm)
    {
        using var pki = await PkiFixture.StartAsync(algorithm);
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var secrets = await SecretFormsAsync(pki, caId);
        var key = (DotNetCaSigningKey)await pki.Keyring.GetSigningKeyAsync(await pki.Keyring.LoadCertificateAsync(caId, Ct), Ct);
        var der = key.ExportPkcs8();
        var pem = Encoding.ASCII.GetBytes(PemEncoding.WriteString("PRIVATE KEY", der));

        Assert.ThrowsAny<Exception>(() => AssertFree("a DER export", der, secrets));
        Assert.ThrowsAny<Exception>(() => AssertFree("a PEM export", pem, secrets));
    }

    [Fact]
    public async Task Stored_key_document_is_an_aes_gcm_envelope_bound_to_the_ca()
    {
        using var pki = await PkiFixture.StartAsync();
        var caId = await pki.Authority.GetCurrentCaIdAsync(Ct);
        var document = Encoding.UTF8.GetString((await pki.Store.GetAsync(CaLayout.KeyDocumentKey(caId), Ct))!.Content);

        Assert.Contains("\"mode\": \"Envelope\"", document);
        Assert.Contains("\"encryptedDataKey\"", document);
        Assert.DoesNotContain("PRIVATE KEY", document);
        var error = await TamperedEnvelopeFailureAsync(pki, caId);
        Assert.IsType<CaStoreException>(error);
        Assert.Contains("does not authenticate", error.Message);
    }

    [Fact]
    public async Task Offline_backup_opens_with_its_one_time_password_and_matches_the_ca()
    {
        Tools.RequireInstalled("openssl");
        using var pki = PkiFixture.Unstarted(PkiFixture.DefaultOptions());
        var init = await pki.Administration.InitAsync(withBackup: true, Ct);
        using var dir = new TempDirectory();
        var keyFile = dir.Write("ca-key.enc.pem", init.Backup!.EncryptedPrivateKeyPem);
        var caFile = dir.Write("ca.pem", init.Ca.CertificatePem);

        var withoutPassword = Tools.Run("openssl", "pkey", "-in", keyFile, "-passin", "pass:wrong", "-pubout");
        var opened = Tools.Run("openssl", "pkey", "-in", keyFile, "-passin", "pass:" + init.Backup.Password, "-pubout");
        var caPublic = Tools.Run("openssl", "x509", "-in", caFile, "-noout", "-pubkey");

        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", init.Backup.EncryptedPrivateKeyPem);
        Assert.NotEqual(0, withoutPassword.ExitCode);
        Assert.True(opened.ExitCode == 0, opened.All);
        Assert.Equal(caPublic.Output, opened.Output);
    }

    private static async Task<Exception> TamperedEnvelopeFailureAsync(PkiFixture pki, string caId)
    {
        var key = CaLayout.KeyDocumentKey(caId);
        var original = (await pki.Store.GetAsync(key, Ct))!.Content;
        var text = Encoding.UTF8.GetString(original);
        var ciphertextAt = text.IndexOf("\"ciphertext\": \"", StringComparison.Ordinal) + 15;
        // The JSON writer escapes '+' as \u002B: flip the first base64 letter or digit outside an escape,
        // so the tampered text is still base64 and only the AES-GCM tag can catch it.
        while (text[ciphertextAt] == '\\' || !char.IsAsciiLetterOrDigit(text[ciphertextAt])) ciphertextAt += text[ciphertextAt] == '\\' ? 6 : 1;
        var tampered = text[..ciphertextAt] + (text[ciphertextAt] == 'A' ? 'B' : 'A') + text[(ciphertextAt + 1)..];
        await pki.Store.PutAsync(key, Encoding.UTF8.GetBytes(tampered), Ct);
        try
        {
            using var fresh = new CaKeyring(pki.Store, pki.Kms, pki.Options, pki.Time, pki.Logs.For<CaKeyring>());
            var ca = await fresh.LoadCertificateAsync(caId, Ct);
            return await Assert.ThrowsAnyAsync<Exception>(() => fresh.GetSigningKeyAsync(ca, Ct));
        }
        finally
        {
            await pki.Store.PutAsync(key, original, Ct);
        }
    }

    /// <summary>The private key in the forms a leak would take: raw secret integers, their hex, base64 at every alignment.</summary>
    private static async Task<List<byte[]>> SecretFormsAsync(PkiFixture pki, string caId)
    {
        var ca = await pki.Keyring.LoadCertificateAsync(caId, Ct);
        var signingKey = (DotNetCaSigningKey)await pki.Keyring.GetSigningKeyAsync(ca, Ct);
        var pkcs8 = signingKey.ExportPkcs8();
        var secrets = new List<byte[]>();
        using (var ecdsa = ECDsa.Create())
        using (var rsa = RSA.Create())
        {
            if (signingKey.Algorithm == CaAlgorithm.EcdsaP384)
            {
                ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
                secrets.Add(ecdsa.ExportParameters(true).D!);
            }
            else
            {
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                var parameters = rsa.ExportParameters(true);
                secrets.AddRange([parameters.D!, parameters.P!, parameters.Q!]);
            }
        }

        var forms = new List<byte[]>();
        foreach (var secret in secrets)
        {
            forms.Add(secret[..32]);
            forms.Add(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret[..32])));
            forms.Add(Encoding.ASCII.GetBytes(Convert.ToHexString(secret[..32])));
            for (var shift = 0; shift < 3; shift++)
            {
                // 16-character windows: a PEM line break (every 64 characters) can split at most one of them.
                var base64 = Convert.ToBase64String(secret[shift..(shift + 45)]);
                forms.AddRange(new[] { 4, 24, 44 }.Select(start => Encoding.ASCII.GetBytes(base64[start..(start + 16)])));
            }
        }

        CryptographicOperations.ZeroMemory(pkcs8);
        return forms;
    }

    private static void AssertFree(string where, byte[] haystack, List<byte[]> secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.True(haystack.AsSpan().IndexOf(secret) < 0, $"the CA private key appears in {where}");
        }
    }

    private static byte[]? TryRead(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // A file that vanished while scanning holds no key.
            return null;
        }
    }

    /// <summary>Regular files only (find -type f): reading a FIFO or socket left in /tmp by another process would block.</summary>
    private static List<string> FilesWrittenSince(string marker)
    {
        var roots = new[] { Path.GetTempPath(), Environment.CurrentDirectory, AppContext.BaseDirectory }.Distinct().ToArray();
        var found = Tools.Run("find", [.. roots, "-xdev", "-type", "f", "-newer", marker, "-size", "-64M"]);
        return [.. found.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct()];
    }
}
