using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.SQS.Model;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Storage;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>The controller's S3 and KMS adapters and the SQS calls it makes, against LocalStack.</summary>
public class AdapterRoundTripTests(LocalStackFixture localStack)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Object_store_writes_lists_and_deletes_under_a_mesh_prefix()
    {
        LocalStackFixture.RequireDocker();
        using var s3 = localStack.S3();
        var store = new S3ObjectStore(s3, "ipsec-mesh-local");
        var key = "issued/" + Guid.NewGuid().ToString("N") + ".pem";

        await store.PutAsync(key, Encoding.ASCII.GetBytes("certificate"), Cancel);
        var read = await store.GetAsync(key, Cancel);
        var listed = await store.ListAsync("issued/", Cancel).ToListAsync(Cancel);
        await store.DeleteAsync(key, Cancel);

        Assert.NotNull(read);
        Assert.Contains(listed, l => l.Key == key);
        Assert.Null(await store.GetAsync(key, Cancel));
    }

    [Fact]
    public async Task Object_store_put_if_absent_refuses_a_second_writer()
    {
        LocalStackFixture.RequireDocker();
        using var s3 = localStack.S3();
        var store = new S3ObjectStore(s3, "ipsec-mesh-local");
        var key = "leader/" + Guid.NewGuid().ToString("N") + ".json";

        var first = await store.PutIfAbsentAsync(key, Encoding.ASCII.GetBytes("one"), Cancel);
        var second = await store.PutIfAbsentAsync(key, Encoding.ASCII.GetBytes("two"), Cancel);

        Assert.True(first);
        Assert.False(second);
    }

    [Fact]
    public async Task Data_key_decrypts_only_with_the_same_encryption_context()
    {
        LocalStackFixture.RequireDocker();
        using var kms = localStack.Kms();
        var keys = new KmsKeyService(kms);
        var context = new Dictionary<string, string> { ["ipsec-mesh:purpose"] = "ca-key" };

        var dataKey = await keys.GenerateDataKeyAsync("alias/ipsec-mesh-ca", context, Cancel);
        var plaintext = await keys.DecryptAsync("alias/ipsec-mesh-ca", dataKey.CiphertextBlob, context, Cancel);
        var wrongContext = new Dictionary<string, string> { ["ipsec-mesh:purpose"] = "something-else" };

        Assert.Equal(dataKey.Plaintext, plaintext);
        await Assert.ThrowsAnyAsync<Exception>(() => keys.DecryptAsync("alias/ipsec-mesh-ca", dataKey.CiphertextBlob, wrongContext, Cancel));
    }

    [Fact]
    public async Task Host_secret_is_bound_to_the_instance_in_its_encryption_context()
    {
        LocalStackFixture.RequireDocker();
        using var kms = localStack.Kms();
        var secret = RandomBytes(32);
        var own = new Dictionary<string, string> { ["InstanceId"] = "i-0000000000000000a", ["InstanceArn"] = "arn:aws:ec2:us-east-1:000000000000:instance/i-0000000000000000a" };
        var other = new Dictionary<string, string> { ["InstanceId"] = "i-0000000000000000b", ["InstanceArn"] = "arn:aws:ec2:us-east-1:000000000000:instance/i-0000000000000000b" };

        var sealedSecret = await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/ipsec-mesh-host", Plaintext = new MemoryStream(secret), EncryptionContext = own }, Cancel);

        await Assert.ThrowsAnyAsync<Exception>(() => kms.DecryptAsync(
            new DecryptRequest { CiphertextBlob = sealedSecret.CiphertextBlob, EncryptionContext = other, KeyId = "alias/ipsec-mesh-host" }, Cancel));
    }

    [Fact]
    public async Task Queue_message_is_received_hidden_and_deleted()
    {
        LocalStackFixture.RequireDocker();
        using var sqs = localStack.Sqs();
        var url = (await sqs.CreateQueueAsync("round-trip-" + Guid.NewGuid().ToString("N")[..8], Cancel)).QueueUrl;

        await sqs.SendMessageAsync(url, "{\"detail-type\":\"Tag Change on Resource\"}", Cancel);
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 5 }, Cancel);
        var message = Assert.Single(received.Messages);
        await sqs.ChangeMessageVisibilityAsync(url, message.ReceiptHandle, 0, Cancel);
        var again = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 5 }, Cancel);
        await sqs.DeleteMessageAsync(url, Assert.Single(again.Messages).ReceiptHandle, Cancel);
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages"] }, Cancel);

        Assert.Equal("0", attributes.Attributes["ApproximateNumberOfMessages"]);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
