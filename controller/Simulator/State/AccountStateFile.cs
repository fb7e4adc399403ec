using System.Text.Json;

namespace IpsecMesh.Simulator.State;

/// <summary>Reads and writes <see cref="AccountState"/> as JSON; a write replaces the file atomically (owner-only: it holds keys).</summary>
internal static class AccountStateFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Write(string path, AccountState state)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, state, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static AccountState Read(string path)
    {
        using var stream = File.OpenRead(path);
        var state = JsonSerializer.Deserialize<AccountState>(stream, Json) ?? throw new InvalidDataException($"{path} holds no simulated account");
        return state.Version == AccountState.CurrentVersion
            ? state
            : throw new InvalidDataException($"{path} is a version {state.Version} simulated account; this simulator reads version {AccountState.CurrentVersion}");
    }
}
