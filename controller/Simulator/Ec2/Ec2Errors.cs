namespace IpsecMesh.Simulator.Ec2;

/// <summary>EC2's error codes, with the statuses EC2 sends them with.</summary>
internal static class Ec2Errors
{
    public static AwsServiceException InvalidParameterValue(string message) => new(400, "InvalidParameterValue", message);

    public static AwsServiceException InvalidParameterCombination(string message) => new(400, "InvalidParameterCombination", message);

    public static AwsServiceException InstanceNotFound(IEnumerable<string> ids) =>
        new(400, "InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", ids)}' do not exist");

    public static AwsServiceException MalformedInstanceId(string id) => new(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");

    public static AwsServiceException GroupNotFound(string id) => new(400, "InvalidGroup.NotFound", $"The security group '{id}' does not exist");
}
