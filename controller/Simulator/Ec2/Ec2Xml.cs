using System.Xml.Linq;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>XML building blocks of EC2 responses.</summary>
internal static class Ec2Xml
{
    public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static XElement Set(string name, IEnumerable<XElement> items) => E(name, items);

    public static XElement Item(params object?[] content) => E("item", content);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");

    public static string Bool(bool value) => value ? "true" : "false";
}
