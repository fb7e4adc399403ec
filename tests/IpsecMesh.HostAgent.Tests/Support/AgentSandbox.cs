using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// The real agent script with every filesystem root moved into a temp directory, so verbs that
/// need no running pluto (request handling, csr, install-cert, status) run on this machine.
/// </summary>
internal sealed class AgentSandbox : IDisposable
{
    public AgentSandbox()
    {
        Root = Directory.CreateTempSubdirectory("ipsec-mesh-agent-").FullName;
        ScriptPath = Path.Combine(Root, "ipsec-mesh-agent.sh");
        File.WriteAllText(ScriptPath, AgentScript.Content);
        Directory.CreateDirectory(Path.Combine(Root, "ipsec.d", "policies"));
        // The agent sets two xfrm sysctls; outside a network namespace of its own it must not touch this machine's.
        Directory.CreateDirectory(Path.Combine(SysctlDir, "net", "core"));
        File.WriteAllText(Path.Combine(SysctlDir, "net", "core", "xfrm_acq_expires"), "30\n");
        File.WriteAllText(Path.Combine(SysctlDir, "net", "core", "xfrm_larval_drop"), "1\n");
        Environment = new Dictionary<string, string>
        {
            ["IPSEC_MESH_SYSCTL_DIR"] = SysctlDir,
            ["IPSEC_MESH_STATE_DIR"] = StateDir,
            ["IPSEC_MESH_IPSECD_DIR"] = Path.Combine(Root, "ipsec.d"),
            ["IPSEC_MESH_NSS_DIR"] = NssDir,
            ["IPSEC_MESH_RUN_DIR"] = Path.Combine(Root, "run"),
            ["IPSEC_MESH_IPSEC_CONF"] = Path.Combine(Root, "ipsec.conf"),
            ["IPSEC_MESH_PLUTO_LOG"] = Path.Combine(Root, "pluto.log"),
            ["IPSEC_MESH_INIT"] = "direct",
            ["IPSEC_MESH_LOCK_TIMEOUT"] = "1",
        };
    }

    public string Root { get; }
    public string ScriptPath { get; }
    public string StateDir => Path.Combine(Root, "state");
    public string NssDir => Path.Combine(Root, "nss");
    /// <summary>Stands in for /proc/sys: the xfrm settings the agent asserts, at the kernel's defaults.</summary>
    public string SysctlDir => Path.Combine(Root, "sysctl");
    public Dictionary<string, string> Environment { get; }

    public Task<ProcessResult> RunAsync(AgentRequest request) => RunAsync(request.ToText());

    public Task<ProcessResult> RunAsync(string requestText) =>
        ProcessRunner.RunAsync("bash", [ScriptPath], requestText, Environment, TestContext.Current.CancellationToken);

    /// <summary>Where the document's download step would put input files for this sandbox's agent (IPSEC_MESH_STATE_DIR/inputs).</summary>
    public string InputsDir => Path.Combine(StateDir, "inputs");

    /// <summary>
    /// The request as the SSM document passes it: the envelope as main's base64 argument (nothing on
    /// stdin), its input file where the download step puts it (unless <paramref name="placeInputs"/> is false).
    /// </summary>
    public Task<ProcessResult> RunAsDocumentAsync(AgentRequest request, bool placeInputs = true)
    {
        var payload = request.ToPayload();
        if (payload.Inputs is { } inputs && placeInputs)
        {
            Directory.CreateDirectory(InputsDir);
            File.WriteAllBytes(Path.Combine(InputsDir, inputs.Sha256), inputs.Content);
        }
        return RunWithArgumentAsync(Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(payload.Envelope)));
    }

    public Task<ProcessResult> RunWithArgumentAsync(string argument) =>
        ProcessRunner.RunAsync("bash", [ScriptPath, argument], "", Environment, TestContext.Current.CancellationToken);

    /// <summary>An empty NSS database, as `install` would leave it.</summary>
    public async Task InitNssAsync()
    {
        Directory.CreateDirectory(NssDir);
        var result = await ProcessRunner.RunAsync("certutil", ["-N", "-d", $"sql:{NssDir}", "--empty-password"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    public async Task<string> NssListingAsync(string option = "-L")
    {
        var result = await ProcessRunner.RunAsync("certutil", [option, "-d", $"sql:{NssDir}", "-f", "/dev/null"], cancellationToken: TestContext.Current.CancellationToken);
        return result.Stdout;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
