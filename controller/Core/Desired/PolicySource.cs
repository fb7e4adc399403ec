using System.Text;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.Vpc;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// The mesh policy as the operators wrote it under S3 <c>config/</c> (else the embedded default), with the entries the
/// VPC scan generates. A policy that fails validation is never used: the last valid one is kept and the errors logged.
/// </summary>
public sealed class PolicySource(IObjectStore store, ConfigRollout rollout, IpsecMeshOptions options, ILogger<PolicySource> logger, VpcPolicyFacts? vpcFacts = null)
{
    public const string ConfigPrefix = "config/";

    /// <summary>
    /// Reads every file under <c>config/</c>. With errors, returns the last valid policy (<paramref name="lastValid"/>,
    /// else the roll-out's, else the default) and the errors; S3 errors propagate.
    /// </summary>
    public async Task<(MeshPolicy Policy, IReadOnlyList<PolicyError> Errors)> LoadAsync(MeshPolicy? lastValid, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var listing in store.ListAsync(ConfigPrefix, cancellationToken))
        {
            var name = listing.Key[ConfigPrefix.Length..];
            if (name.Length == 0 || name.EndsWith('/')) continue;
            if (await store.GetAsync(listing.Key, cancellationToken) is { } stored)
                files[name] = Encoding.UTF8.GetString(stored.Content);
        }
        if (files.Count == 0) return (MeshPolicy.Default, []);

        var result = MeshPolicy.Load(files, $"s3://{options.Bucket}/{ConfigPrefix}");
        if (result.Policy is not null && result.Errors.Count == 0) return (result.Policy, []);

        // The last valid policy: this process's, else the roll-out's (a restart must not fall back to the default).
        var keep = lastValid ?? rollout.Target?.Policy ?? rollout.LastGood?.Policy ?? MeshPolicy.Default;
        foreach (var error in result.Errors) DesiredLog.PolicyRejected(logger, error.ToString(), keep.Hash);
        return (keep, result.Errors);
    }

    /// <summary>
    /// The policy with the generated entries the VPC scan published (<see cref="VpcPolicyFacts"/>); before this process's
    /// first scan, those the stored roll-out's config carries, so a restart starts no roll-out of its own.
    /// </summary>
    public MeshPolicy WithVpcEntries(MeshPolicy policy)
    {
        if (vpcFacts is null) return policy;
        vpcFacts.Seed(rollout.Target?.Policy ?? rollout.LastGood?.Policy);
        var entries = vpcFacts.Settle() ?? [];
        return policy.WithGenerated(VpcPolicyFacts.ByGroup(entries));
    }
}
