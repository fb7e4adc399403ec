using System.Net.Http.Headers;
using System.Text;

namespace IpsecMesh.Simulator.Tests.Conformance;

/// <summary>Hand-made requests to the simulator, for what the SDK hides: headers, raw bodies, the query protocol.</summary>
internal static class RawHttp
{
    public static HttpRequestMessage Json(string service, string target, string body, string contentType = "application/x-amz-json-1.1")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://{service}.us-east-1.amazonaws.com/")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    public static HttpRequestMessage Form(string service, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://{service}.us-east-1.amazonaws.com/")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    public static HttpClient Client(SimulatedAws aws) => new(aws.CreateHandler());
}
