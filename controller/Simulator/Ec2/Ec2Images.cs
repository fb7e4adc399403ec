using System.Xml.Linq;
using static IpsecMesh.Simulator.Ec2.Ec2Xml;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>The one image DescribeImages lists (RunInstances takes any image id): enough for scripts that look one up first.</summary>
internal static class Ec2Images
{
    public const string DefaultImageId = "ami-0simulated000001";

    public static XElement Default(string region) =>
        Item(
            E("imageId", DefaultImageId),
            E("imageLocation", "amazon/al2023-ami-simulated-x86_64"),
            E("imageState", "available"),
            E("imageOwnerId", "137112412989"),
            E("isPublic", "true"),
            E("architecture", "x86_64"),
            E("imageType", "machine"),
            E("name", "al2023-ami-simulated-x86_64"),
            E("description", $"Amazon Linux 2023 (simulated, {region})"),
            E("imageOwnerAlias", "amazon"),
            E("rootDeviceType", "ebs"),
            E("rootDeviceName", "/dev/xvda"),
            E("virtualizationType", "hvm"),
            E("hypervisor", "xen"),
            E("platformDetails", "Linux/UNIX"));
}
