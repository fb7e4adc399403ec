namespace IpsecMesh.HostAgent.Document;

/// <summary>
/// Where a stack keeps the input files: its bucket, in its region, at the S3 endpoint of the
/// region's partition (what CloudFormation's <c>${AWS::URLSuffix}</c> gives).
/// </summary>
public sealed record InputsLocation(string Bucket, string Region)
{
    /// <summary>amazonaws.com, or amazonaws.com.cn in the China regions.</summary>
    public string UrlSuffix => Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";

    /// <summary>The download step's sourceInfo for this location (the document's template with the placeholders filled in).</summary>
    public string SourceInfo() => AgentDocument.SourceInfoTemplate
        .Replace("${AWS::Region}", Region, StringComparison.Ordinal)
        .Replace("${AWS::URLSuffix}", UrlSuffix, StringComparison.Ordinal)
        .Replace("${Bucket}", Bucket, StringComparison.Ordinal);
}
