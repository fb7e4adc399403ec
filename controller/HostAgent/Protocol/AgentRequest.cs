using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace IpsecMesh.HostAgent.Protocol;

/// <summary>
/// What the controller asks one host to do: verbs run in order, scalar parameters and files.
/// Construction validates every value against the protocol's alphabets, so nothing outside them
/// (a tag value, a quote, a newline) can reach the host's shell.
/// </summary>
public sealed partial class AgentRequest
{
    public const int ProtocolVersion = 1;

    public IReadOnlyList<string> Verbs { get; }
    public IReadOnlyDictionary<string, string> Parameters { get; }
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    public AgentRequest(
        IEnumerable<string> verbs,
        IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyDictionary<string, byte[]>? files = null)
    {
        Verbs = verbs.ToArray();
        Parameters = parameters ?? new Dictionary<string, string>();
        Files = files ?? new Dictionary<string, byte[]>();
        Validate();
    }

    public static AgentRequest For(string verb, IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyDictionary<string, byte[]>? files = null) => new([verb], parameters, files);

    public string Parameter(string key) =>
        Parameters.TryGetValue(key, out var value) ? value : throw new AgentProtocolException($"request has no parameter '{key}'");

    /// <summary>The whole request as one text, files inline (what one types into the agent's standard input by hand).</summary>
    public string ToText() => Head().Append(FileLines()).ToString();

    /// <summary>
    /// The request as the controller sends it: the envelope, whose <c>inputs</c> line names the input file
    /// by its SHA-256, and that file (null when the request has no files).
    /// </summary>
    public AgentPayload ToPayload()
    {
        if (Files.Count == 0) return new AgentPayload(Head().ToString(), null);
        var content = Encoding.ASCII.GetBytes(FileLines().ToString());
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        return new AgentPayload(Head().Append("inputs ").Append(sha256).Append('\n').ToString(), new AgentInputs(content, sha256));
    }

    private StringBuilder Head()
    {
        var text = new StringBuilder();
        text.Append("protocol ").Append(ProtocolVersion).Append('\n');
        foreach (var verb in Verbs) text.Append("verb ").Append(verb).Append('\n');
        foreach (var (key, value) in Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append("param ").Append(key).Append(' ').Append(value).Append('\n');
        return text;
    }

    private StringBuilder FileLines()
    {
        var text = new StringBuilder();
        foreach (var (path, bytes) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            text.Append("file ").Append(path).Append(' ').Append(Convert.ToBase64String(bytes)).Append('\n');
        return text;
    }

    /// <summary>
    /// Parses request text, as the agent does: an <c>inputs</c> line names the input file, which
    /// <paramref name="inputFile"/> returns by its SHA-256 (null when it was not downloaded); the
    /// file must have that hash and hold file lines only. Throws <see cref="AgentProtocolException"/>
    /// naming the bad line, with the agent's failure code.
    /// </summary>
    public static AgentRequest Parse(string text, Func<string, byte[]?>? inputFile = null)
    {
        var verbs = new List<string>();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        var sawProtocol = false;
        string? inputs = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            var where = $"request line {i + 1}";
            switch (parts[0])
            {
                case "protocol" when parts.Length == 2:
                    if (parts[1] != ProtocolVersion.ToString()) throw new AgentProtocolException($"{where}: unsupported protocol version '{parts[1]}'");
                    sawProtocol = true;
                    break;
                case "verb" when parts.Length == 2:
                    verbs.Add(parts[1]);
                    break;
                case "param" when parts.Length is 2 or 3:
                    parameters[parts[1]] = parts.Length == 3 ? parts[2] : "";
                    break;
                case "file" when parts.Length == 3:
                    AddFile(files, where, parts[1], parts[2]);
                    break;
                case "inputs" when parts.Length == 2 && Sha256Hex().IsMatch(parts[1]):
                    if (inputs is not null) throw new AgentProtocolException($"{where}: a second inputs line");
                    inputs = parts[1];
                    break;
                default:
                    throw new AgentProtocolException($"{where}: expected 'protocol', 'verb', 'param', 'file' or 'inputs', got '{Truncate(parts[0])}'");
            }
        }
        if (!sawProtocol) throw new AgentProtocolException("request has no 'protocol' line");
        if (inputs is not null) ReadInputs(inputs, inputFile?.Invoke(inputs), files);
        return new AgentRequest(verbs, parameters, files);
    }

    private static void ReadInputs(string sha256, byte[]? content, Dictionary<string, byte[]> files)
    {
        if (content is null)
            throw new AgentProtocolException($"the input file {sha256[..12]} of the request was not downloaded", AgentProtocolException.InputsFailed);
        if (Convert.ToHexStringLower(SHA256.HashData(content)) != sha256)
            throw new AgentProtocolException($"the input file {sha256[..12]} has another SHA-256 than the request names: refused", AgentProtocolException.InputsFailed);
        var lines = Encoding.ASCII.GetString(content).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var parts = lines[i].Split(' ');
            if (parts.Length != 3 || parts[0] != "file") throw new AgentProtocolException($"input line {i + 1}: not a file line");
            AddFile(files, $"input line {i + 1}", parts[1], parts[2]);
        }
    }

    private static void AddFile(Dictionary<string, byte[]> files, string where, string path, string base64)
    {
        try { files[path] = Convert.FromBase64String(base64); }
        catch (FormatException) { throw new AgentProtocolException($"{where}: file '{Truncate(path)}' is not valid base64"); }
    }

    private void Validate()
    {
        if (Verbs.Count == 0) throw new AgentProtocolException("request has no verb");
        foreach (var verb in Verbs)
            if (!AgentVerbs.All.Contains(verb)) throw new AgentProtocolException($"unknown verb '{Truncate(verb)}'");
        foreach (var (key, value) in Parameters)
        {
            if (!ParameterKey().IsMatch(key)) throw new AgentProtocolException($"parameter name '{Truncate(key)}' is not allowed");
            if (!ParameterValue().IsMatch(value)) throw new AgentProtocolException($"parameter '{key}' has characters outside [A-Za-z0-9._:/+=@-] or is longer than 256");
        }
        foreach (var path in Files.Keys)
            if (!FilePath().IsMatch(path) || path.Contains("..", StringComparison.Ordinal))
                throw new AgentProtocolException($"file path '{Truncate(path)}' is not allowed");
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9]{0,63}$")]
    private static partial Regex ParameterKey();

    [GeneratedRegex("^[A-Za-z0-9._:/+=@-]{0,256}$")]
    private static partial Regex ParameterValue();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")]
    private static partial Regex FilePath();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
