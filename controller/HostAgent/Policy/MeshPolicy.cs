using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>
/// The mesh policy: which peers are private, clear, private-or-clear, clear-or-private or blocked,
/// and the libreswan conn template. Immutable and valid by construction (see <see cref="Load"/>).
/// </summary>
public sealed class MeshPolicy
{
    private const string BundleDirectory = "config/";
    private const string PoliciesDirectory = "config/policies/";
    private const string ResourcePrefix = "default-policy/";

    private static readonly Lazy<MeshPolicy> DefaultPolicy = new(LoadEmbeddedDefault);

    private readonly IReadOnlyDictionary<string, byte[]> _bundle;

    private readonly string _template;

    private MeshPolicy(string source, string template, IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> written, IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> generated)
    {
        Source = source;
        _template = template;
        Written = written;
        Generated = generated;
        Groups = PolicyGroups.All.ToDictionary(g => g, g => (IReadOnlyList<IPNetwork>)[.. written[g].Concat(generated.GetValueOrDefault(g, [])).Distinct()], StringComparer.Ordinal);
        _bundle = Render(template, written, generated);
        Hash = ComputeHash(_bundle);
        MeshNetworks = PolicyGroups.Meshed.SelectMany(g => Groups[g]).Distinct().ToArray();
    }

    /// <summary>
    /// The line that separates an operator's entries of a group file from those the controller
    /// generated from the VPC (managed-service interfaces, VPC CIDR blocks). Entries after it are
    /// <see cref="Generated"/> when a rendered policy is loaded again.
    /// </summary>
    public const string GeneratedMarker = "# ipsec-mesh: generated from the VPC by the controller; everything below is replaced at each resync";

    /// <summary>The embedded default policy (config/policy of this repository).</summary>
    public static MeshPolicy Default => DefaultPolicy.Value;

    /// <summary>Where the policy was read from, for messages.</summary>
    public string Source { get; }

    /// <summary>Every group's networks, in file order: the written ones, then the generated ones.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> Groups { get; }

    /// <summary>Each group's networks as operators wrote them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> Written { get; }

    /// <summary>Networks the controller added from the VPC, by group (only groups with any).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> Generated { get; }

    /// <summary>
    /// This policy with <paramref name="generated"/> (group → networks) in place of its generated
    /// entries. A network an operator wrote into any group is left out (the written entry wins: a
    /// CIDR belongs to one group), so is 0.0.0.0/0 or ::/0 in clear; unknown groups throw
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public MeshPolicy WithGenerated(IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> generated)
    {
        var written = Written.Values.SelectMany(n => n).ToHashSet();
        var kept = new Dictionary<string, IReadOnlyList<IPNetwork>>(StringComparer.Ordinal);
        var taken = new HashSet<IPNetwork>();
        foreach (var group in PolicyGroups.All)
        {
            if (!generated.TryGetValue(group, out var networks)) continue;
            var list = networks.Where(n => !written.Contains(n) && taken.Add(n) && !(group == PolicyGroups.Clear && n.PrefixLength == 0)).ToArray();
            if (list.Length > 0) kept[group] = list;
        }
        foreach (var group in generated.Keys.Where(g => !PolicyGroups.All.Contains(g)))
            throw new ArgumentException($"'{group}' is not a policy group", nameof(generated));
        return new MeshPolicy(Source, _template, Written, kept);
    }

    /// <summary>Short (12 hex) hash of the rendered bundle: what the IPSec:Config tag shows.</summary>
    public string Hash { get; }

    /// <summary>Where peers may be (private ∪ private-or-clear ∪ clear-or-private): for the security group check.</summary>
    public IReadOnlyList<IPNetwork> MeshNetworks { get; }

    /// <summary>The bundle as the protocol's file inputs: "config/ipsec-mesh.conf", "config/policies/private", ….</summary>
    public IReadOnlyDictionary<string, byte[]> RenderBundle() =>
        _bundle.ToDictionary(f => f.Key, f => f.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// The policy as loadable files (the template and each group as rendered), so it can be stored
    /// and loaded again with <see cref="Load"/> to the same <see cref="Hash"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToFiles() => _bundle.ToDictionary(
        f => f.Key.StartsWith(PoliciesDirectory, StringComparison.Ordinal) ? f.Key[PoliciesDirectory.Length..] : f.Key[BundleDirectory.Length..],
        f => Encoding.UTF8.GetString(f.Value),
        StringComparer.Ordinal);

    /// <summary>Loads a policy from file name → text; <paramref name="source"/> prefixes file names in errors.</summary>
    public static PolicyLoadResult Load(IReadOnlyDictionary<string, string> files, string source)
    {
        var errors = new List<PolicyError>();
        string Label(string file) => JoinSource(source, file);

        foreach (var name in files.Keys.Where(n => n != PolicyGroups.TemplateFile && !PolicyGroups.All.Contains(n)).Order(StringComparer.Ordinal))
            errors.Add(new PolicyError(Label(name), 0, $"unknown file; expected {PolicyGroups.TemplateFile} or one of {string.Join(", ", PolicyGroups.All)}"));

        if (!files.TryGetValue(PolicyGroups.TemplateFile, out var template))
            errors.Add(new PolicyError(Label(PolicyGroups.TemplateFile), 0, "the conn template is missing"));
        else
            ConnTemplate.Validate(template, Label(PolicyGroups.TemplateFile), errors);

        var entries = PolicyGroups.All.ToDictionary(
            g => g,
            g => files.TryGetValue(g, out var text) ? PolicyFileParser.Parse(g, text, Label(g), errors) : [],
            StringComparer.Ordinal);
        PolicyRules.Check(entries, Label, errors);

        if (errors.Count > 0 || template is null) return new PolicyLoadResult(null, errors);
        var markers = PolicyGroups.All.ToDictionary(g => g, g => files.TryGetValue(g, out var text) ? MarkerLine(text) : int.MaxValue, StringComparer.Ordinal);
        var written = entries.ToDictionary(
            e => e.Key,
            e => (IReadOnlyList<IPNetwork>)e.Value.Where(x => x.Line < markers[e.Key]).Select(x => x.Network).Distinct().ToArray(),
            StringComparer.Ordinal);
        var generated = entries.Where(e => e.Value.Any(x => x.Line > markers[e.Key])).ToDictionary(
            e => e.Key,
            e => (IReadOnlyList<IPNetwork>)e.Value.Where(x => x.Line > markers[e.Key]).Select(x => x.Network).Distinct().ToArray(),
            StringComparer.Ordinal);
        return new PolicyLoadResult(new MeshPolicy(source, template, written, generated), []);
    }

    /// <summary>Loads every file of a directory (hidden files ignored).</summary>
    public static PolicyLoadResult LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            return new PolicyLoadResult(null, [new PolicyError(directory, 0, "is not a directory")]);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(directory))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            files[name] = File.Exists(path) ? File.ReadAllText(path) : "";
        }
        return Load(files, directory);
    }

    /// <summary>The 1-based line of <see cref="GeneratedMarker"/> in a group file, or int.MaxValue.</summary>
    private static int MarkerLine(string text)
    {
        var lines = PolicyFileParser.SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Trim() == GeneratedMarker) return i + 1;
        return int.MaxValue;
    }

    private static Dictionary<string, byte[]> Render(string template, IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> groups,
        IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> generated)
    {
        var bundle = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [BundleDirectory + PolicyGroups.TemplateFile] = Encoding.UTF8.GetBytes(Normalise(template)),
        };
        foreach (var group in PolicyGroups.All)
        {
            var text = new StringBuilder()
                .Append("# ipsec-mesh policy group '").Append(group).Append("', rendered by the controller: edit the mesh policy, not this file.\n");
            foreach (var network in groups[group]) text.Append(network.ToString()).Append('\n');
            // Only when there is any: a policy without generated entries renders (and hashes) as before.
            if (generated.TryGetValue(group, out var added) && added.Count > 0)
            {
                text.Append(GeneratedMarker).Append('\n');
                foreach (var network in added) text.Append(network.ToString()).Append('\n');
            }
            bundle[PoliciesDirectory + group] = Encoding.UTF8.GetBytes(text.ToString());
        }
        return bundle;
    }

    private static string Normalise(string text)
    {
        var lf = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return lf.EndsWith('\n') ? lf : lf + "\n";
    }

    private static string ComputeHash(IReadOnlyDictionary<string, byte[]> bundle)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in bundle.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{name}\0{bytes.Length}\0"));
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    private static string JoinSource(string source, string file) =>
        source.Length == 0 ? file
        : source.EndsWith('/') || source.EndsWith(Path.DirectorySeparatorChar) ? source + file
        : source + "/" + file;

    private static MeshPolicy LoadEmbeddedDefault()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            files[resource[ResourcePrefix.Length..]] = reader.ReadToEnd();
        }
        var result = Load(files, "embedded:config/policy");
        return result.Policy ?? throw new InvalidOperationException(
            "the embedded default policy is invalid: " + string.Join("; ", result.Errors));
    }
}
