using YamlDotNet.RepresentationModel;

namespace IpsecMesh.Deploy.Tests.Yaml;

/// <summary>
/// Reads a CloudFormation YAML template into plain values: dictionaries, lists and strings.
/// Short-form intrinsics (<c>!Ref X</c>, <c>!GetAtt A.B</c>, <c>!Sub …</c>) become their long
/// form (<c>{"Ref": "X"}</c>, <c>{"Fn::GetAtt": ["A", "B"]}</c>, <c>{"Fn::Sub": …}</c>).
/// </summary>
public static class CloudFormationYaml
{
    public static IReadOnlyDictionary<string, object?> Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    public static IReadOnlyDictionary<string, object?> Parse(TextReader reader, string name)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        return Convert(stream.Documents[0].RootNode) as IReadOnlyDictionary<string, object?>
            ?? throw new InvalidDataException(name + " is not a YAML mapping");
    }

    public static object? Convert(YamlNode node)
    {
        object? value = node switch
        {
            YamlScalarNode scalar => scalar.Value,
            YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
            YamlMappingNode mapping => mapping.Children.ToDictionary(
                pair => ((YamlScalarNode)pair.Key).Value ?? string.Empty,
                pair => Convert(pair.Value),
                StringComparer.Ordinal),
            _ => throw new InvalidDataException("unsupported YAML node " + node.GetType().Name),
        };

        return node.Tag.IsEmpty || !node.Tag.Value.StartsWith('!') ? value : Intrinsic(node.Tag.Value[1..], value);
    }

    private static Dictionary<string, object?> Intrinsic(string name, object? value) => name switch
    {
        "Ref" or "Condition" => new(StringComparer.Ordinal) { [name] = value },
        "GetAtt" when value is string dotted => new(StringComparer.Ordinal)
        {
            ["Fn::GetAtt"] = dotted.Split('.', 2).Cast<object?>().ToList(),
        },
        _ => new(StringComparer.Ordinal) { ["Fn::" + name] = value },
    };
}
