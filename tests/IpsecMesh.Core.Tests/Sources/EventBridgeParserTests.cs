using IpsecMesh.Core.Sources;

namespace IpsecMesh.Core.Tests.Sources;

public class EventBridgeParserTests
{
    private readonly EventBridgeParser _parser = new("IPSec");

    // Shapes as EventBridge delivers them to an SQS target (AWS documentation examples, ids changed).
    private const string StateChange = """
        {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",
         "source":"aws.ec2","account":"123456789012","time":"2026-11-24T08:00:00Z","region":"us-east-1",
         "resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-0abcdef1234567890"],
         "detail":{"instance-id":"i-0abcdef1234567890","state":"running"}}
        """;

    private const string TagChange = """
        {"version":"0","id":"bddcf1d6-0251-35a1-aab0-adc1fb47c11c","detail-type":"Tag Change on Resource","source":"aws.tag",
         "account":"123456789012","time":"2026-11-24T08:00:01Z","region":"us-east-1",
         "resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-0abcdef1234567890"],
         "detail":{"changed-tag-keys":["IPSec"],"service":"ec2","resource-type":"instance","version":3,"tags":{"IPSec":"todo","Name":"web"}}}
        """;

    [Fact]
    public void State_change_yields_the_instance_and_its_state()
    {
        var result = _parser.Parse(StateChange);
        Assert.Null(result.Error);
        Assert.Equal(new InstanceEvent("i-0abcdef1234567890", InstanceEventKind.StateChange, "running", false), result.Event);
    }

    [Fact]
    public void Tag_change_of_our_key_is_flagged_so_a_user_retry_skips_the_backoff()
    {
        var result = _parser.Parse(TagChange);
        Assert.Equal(("i-0abcdef1234567890", InstanceEventKind.TagChange, (string?)null, true), (result.Event!.InstanceId, result.Event.Kind, result.Event.State, result.Event.ChangedOurTag));
    }

    [Fact]
    public void Tag_change_carries_each_changed_key_with_its_value_after_the_change()
    {
        var result = _parser.Parse(TagChange.Replace("[\"IPSec\"]", "[\"IPSec\",\"Team\"]", StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string?> { ["IPSec"] = "todo", ["Team"] = null }, result.Event!.ChangedTags);
    }

    [Fact]
    public void Tag_change_without_tags_carries_none_so_the_reconcile_rereads()
    {
        var result = _parser.Parse(TagChange.Replace(",\"tags\":{\"IPSec\":\"todo\",\"Name\":\"web\"}", "", StringComparison.Ordinal));
        Assert.Null(result.Error);
        Assert.Null(result.Event!.ChangedTags);
    }

    [Fact]
    public void Tag_change_with_a_tag_value_that_is_not_a_string_is_rejected_naming_it()
    {
        var result = _parser.Parse(TagChange.Replace("\"IPSec\":\"todo\"", "\"IPSec\":7", StringComparison.Ordinal));
        Assert.Null(result.Event);
        Assert.Equal("detail.tags.IPSec is a JSON Number, expected a string", result.Error);
    }

    [Fact]
    public void Tag_change_of_another_key_is_an_event_but_not_ours()
    {
        var result = _parser.Parse(TagChange.Replace("[\"IPSec\"]", "[\"Name\"]", StringComparison.Ordinal));
        Assert.False(result.Event!.ChangedOurTag);
    }

    [Theory]
    [InlineData("", "body is empty")]
    [InlineData("not json", "body is not JSON")]
    [InlineData("[1,2]", "not an EventBridge event object")]
    [InlineData("{\"detail-type\":5,\"detail\":{}}", "field 'detail-type' is a JSON Number")]
    [InlineData("{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{}}", "is not one this controller subscribes to")]
    [InlineData("{\"detail-type\":\"EC2 Instance State-change Notification\"}", "field 'detail' is missing")]
    [InlineData("{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"state\":\"running\"}}", "detail.field 'instance-id' is missing")]
    [InlineData("{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-$(reboot)\",\"state\":\"running\"}}", "is not an EC2 instance id")]
    [InlineData("{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":{\"instance-id\":\"i-0abcdef1\",\"state\":\"exploded\"}}", "is not an EC2 instance state")]
    [InlineData("{\"detail-type\":\"Tag Change on Resource\",\"detail\":{\"service\":\"s3\",\"resource-type\":\"bucket\",\"changed-tag-keys\":[]}}", "not on an EC2 instance")]
    [InlineData("{\"detail-type\":\"Tag Change on Resource\",\"resources\":[\"arn:aws:ec2:us-east-1:123456789012:instance/i-0abcdef1\"],\"detail\":{\"service\":\"ec2\",\"resource-type\":\"instance\",\"changed-tag-keys\":\"IPSec\"}}", "changed-tag-keys is missing or not an array")]
    [InlineData("{\"detail-type\":\"Tag Change on Resource\",\"resources\":[\"arn:aws:ec2:us-east-1:1:instance/i-0abcdef1\"],\"detail\":{\"service\":\"ec2\",\"resource-type\":\"instance\",\"changed-tag-keys\":[]}}", "is not an EC2 instance ARN")]
    public void Malformed_or_foreign_bodies_get_an_error_naming_what_is_wrong(string body, string expected)
    {
        var result = _parser.Parse(body);
        Assert.Null(result.Event);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_or_huge_bodies_are_rejected_without_throwing()
    {
        var deep = new string('[', 5000) + new string(']', 5000);
        Assert.NotNull(_parser.Parse(deep).Error);
        var huge = "{\"detail-type\":\"" + new string('x', 300_000) + "\"}";
        Assert.Contains("more than an EventBridge event can be", _parser.Parse(huge).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_never_echo_control_characters_from_the_message()
    {
        var result = _parser.Parse("{\"detail-type\":\"evil\\nline\\u0007\",\"detail\":{}}");
        Assert.DoesNotContain('\n', result.Error!);
        Assert.DoesNotContain('\a', result.Error!);
    }
}
