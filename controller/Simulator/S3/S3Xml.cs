using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.S3;

/// <summary>S3's XML answers and its MD5 ETags.</summary>
internal static class S3Xml
{
    public static SimResponse Document(XElement document, int status = 200) =>
        new()
        {
            Status = status,
            ContentType = "application/xml",
            Body = Encoding.UTF8.GetBytes(new XDeclaration("1.0", "UTF-8", null) + document.ToString(SaveOptions.DisableFormatting)),
        };

#pragma warning disable CA5351 // S3 ETags are MD5 by definition; this is not a security use
    public static string Md5Hex(byte[] body) => Convert.ToHexStringLower(MD5.HashData(body));
#pragma warning restore CA5351
}
