using System.Text;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>An opaque pagination token: the position after which the next page starts.</summary>
internal static class PageToken
{
    public static string Encode(string kind, int position) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{kind}:{position}"));

    public static int Decode(string kind, string? token)
    {
        if (string.IsNullOrEmpty(token)) return -1;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var parts = text.Split(':');
            if (parts.Length == 2 && parts[0] == kind && int.TryParse(parts[1], out var position)) return position;
        }
        catch (FormatException)
        {
            // reported below
        }
        throw Ec2Errors.InvalidParameterValue($"The token '{token}' is invalid.");
    }
}
