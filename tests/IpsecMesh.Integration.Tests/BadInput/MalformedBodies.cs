using System.Text;

namespace IpsecMesh.Integration.Tests.BadInput;

/// <summary>Seeded malformed SQS bodies: broken JSON, wrong types, foreign events, deep nesting, huge and binary-looking bodies.</summary>
public static class MalformedBodies
{
    public const int Seed = 8;

    public static IReadOnlyList<string> Generate(int fuzzed)
    {
        var random = new Random(Seed);
        var bodies = new List<string>
        {
            " ", "null", "42", "\"just a string\"", "[]", "{}", "{", "}", "{\"detail-type\":", "not json at all",
            "{\"detail-type\":7,\"detail\":{}}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":\"running\"}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":12345,\"state\":\"running\"}}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-$(reboot)\",\"state\":\"running\"}}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-0123456789abcdef0\",\"state\":\"exploded\"}}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-0123456789abcdef0\",\"state\":[\"running\"]}}",
            "{\"detail-type\":\"Tag Change on Resource\",\"detail\":{\"service\":\"s3\",\"resource-type\":\"bucket\",\"changed-tag-keys\":[\"IPSec\"]},\"resources\":[\"arn:aws:s3:::b\"]}",
            "{\"detail-type\":\"Tag Change on Resource\",\"detail\":{\"service\":\"ec2\",\"resource-type\":\"instance\",\"changed-tag-keys\":\"IPSec\"},\"resources\":[]}",
            "{\"detail-type\":\"Tag Change on Resource\",\"detail\":{\"service\":\"ec2\",\"resource-type\":\"instance\",\"changed-tag-keys\":[1,2]},\"resources\":[\"x\"]}",
            "{\"detail-type\":\"Tag Change on Resource\",\"detail\":{\"service\":\"ec2\",\"resource-type\":\"instance\",\"changed-tag-keys\":[\"IPSec\"]},\"resources\":[\"arn:aws:ec2:us-east-1:123456789012:instance/`id`\"]}",
            "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{}}",
            new string('[', 5000) + new string(']', 5000),
            "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2001),
            "{\"detail-type\":\"" + new string('x', 250_000) + "\",\"detail\":{}}",
            "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-0123456789abcdef0\",\"state\":\"running\"", // truncated
            "\uFEFF{\"detail-type\":\"EC2 Instance State-change Notification\"}",
        };
        var valid = "{\"version\":\"0\",\"detail-type\":\"EC2 Instance State-change Notification\",\"source\":\"aws.ec2\",\"detail\":{\"instance-id\":\"i-0123456789abcdef0\",\"state\":\"running\"}}";
        while (bodies.Count < fuzzed)
        {
            var kind = random.Next(3);
            bodies.Add(kind switch
            {
                0 => Mutate(valid, random),
                1 => Noise(random, 1 + random.Next(2000)),
                _ => valid[..random.Next(1, valid.Length - 1)],
            });
        }
        return bodies;
    }

    /// <summary>Flips, drops or inserts a few characters of a valid event, which almost always breaks it.</summary>
    private static string Mutate(string valid, Random random)
    {
        var chars = new StringBuilder(valid);
        for (var i = 0; i < 1 + random.Next(4); i++)
        {
            var at = random.Next(chars.Length);
            switch (random.Next(3))
            {
                case 0: chars[at] = "{}[]\":,\\0x"[random.Next(10)]; break;
                case 1: chars.Remove(at, 1); break;
                default: chars.Insert(at, "\"{[,"[random.Next(4)]); break;
            }
        }
        return chars.ToString();
    }

    /// <summary>Characters SQS accepts (tab, newline, printable, BMP above the surrogates), as binary-looking noise.</summary>
    private static string Noise(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(4) switch
            {
                0 => (char)random.Next(0x20, 0x7F),
                1 => (char)random.Next(0xA0, 0xD7FF),
                2 => '\t',
                _ => (char)random.Next(0xE000, 0xFFFD),
            };
        }
        return new string(chars);
    }
}
