using Amazon;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Sdk;

namespace IpsecMesh.HostAgent.Tests.Contract;

/// <summary>
/// The contract test of issue 5: the same protocol inputs, sent through the simulated SSM, go to
/// an instance whose runtime is the real script (on a real pluto in a throwaway namespace) and to
/// one whose runtime is the simulator's <see cref="VirtualHost"/>; their result lines must agree
/// in verb, ok, code and every field's name and type.
/// </summary>
public sealed class ContractTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HostNamespace? _host;
    private SimulatedAws? _aws;
    private AmazonSimpleSystemsManagementClient? _ssm;
    private string _realId = "";
    private string _virtualId = "";
    private VirtualHost? _virtual;

    public async ValueTask InitializeAsync()
    {
        _host = await HostNamespace.StartAsync();
        _aws = new SimulatedAws(SimulatorOptions.Default with { CommandDeliveryLatency = TimeSpan.Zero }, TimeProvider.System);
        var host = _host;
        _realId = _aws.Fleet.Launch(new InstanceSpec
        {
            // What stands in for the SSM agent on the real host: the downloaded input file placed where the
            // document's download step puts it, the document's script run with sh -c.
            Runtime = new ExternalRuntime(async (_, run, ct) =>
            {
                var result = await host.RunShellAsync(run.StandInScript(), ct);
                return new CommandOutcome(result.ExitCode, result.Stdout, result.Stderr);
            }),
        }).InstanceId;
        _virtual = new VirtualHost(VirtualHostOptions.Instant);
        _virtualId = _aws.Fleet.Launch(new InstanceSpec { Runtime = _virtual }).InstanceId;
        _ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("AKIDSIMULATOR", "not-a-secret"),
            new AmazonSimpleSystemsManagementConfig
            {
                RegionEndpoint = RegionEndpoint.GetBySystemName(_aws.Region),
                HttpClientFactory = SimulatedAwsOptions.HttpClientFactory(_aws),
            });
    }

    public async ValueTask DisposeAsync()
    {
        _ssm?.Dispose();
        if (_aws is not null) await _aws.DisposeAsync();
        if (_host is not null) await _host.DisposeAsync();
    }

    private async Task<IReadOnlyList<AgentResult>> SendAsync(string instanceId, AgentRequest request, bool upload = true)
    {
        // As the controller sends it: the input file to the bucket's hosts/inputs/, the envelope as the document's parameter.
        var payload = request.ToPayload();
        if (payload.Inputs is { } inputs && upload) _aws!.WriteObject(AgentDocument.InputsKey(inputs.Sha256), inputs.Content);
        var sent = await _ssm!.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = _aws!.AgentDocumentName,
            InstanceIds = [instanceId],
            Comment = AgentCommand.Comment(request),
            Parameters = AgentDocument.Parameters(payload, 600),
        }, Ct);
        GetCommandInvocationResponse invocation;
        do
        {
            await Task.Delay(100, Ct);
            try
            {
                invocation = await _ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = sent.Command.CommandId, InstanceId = instanceId, PluginName = AgentDocument.AgentStep }, Ct);
            }
            catch (InvocationDoesNotExistException)
            {
                invocation = new GetCommandInvocationResponse { Status = CommandInvocationStatus.Pending };
            }
        }
        while (invocation.Status == CommandInvocationStatus.Pending || invocation.Status == CommandInvocationStatus.InProgress);
        var results = AgentResult.ParseAll(invocation.StandardOutputContent);
        Assert.True(results.Count > 0, $"{instanceId}: {invocation.Status}, no result line: {invocation.StandardOutputContent}{invocation.StandardErrorContent}");
        Assert.Equal(results.All(r => r.Ok) ? CommandInvocationStatus.Success : CommandInvocationStatus.Failed, invocation.Status);
        return results;
    }

    private static AgentRequest WithPeers(AgentRequest request, string peers)
    {
        var files = request.Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        files["peers"] = System.Text.Encoding.ASCII.GetBytes(peers);
        return new AgentRequest(request.Verbs, request.Parameters, files);
    }

    /// <summary>Sends per-host requests (they differ only where each host's own key is involved) and compares the answers.</summary>
    private async Task<(IReadOnlyList<AgentResult> Real, IReadOnlyList<AgentResult> Simulated)> BothAsync(AgentRequest real, AgentRequest? simulated = null, bool upload = true)
    {
        var realResults = await SendAsync(_realId, real, upload);
        var simulatedResults = await SendAsync(_virtualId, simulated ?? real, upload);
        Assert.Equal(simulatedResults.Select(r => r.Verb), realResults.Select(r => r.Verb));
        var differences = realResults.Zip(simulatedResults).SelectMany(p => ResultShape.Differences(p.First, p.Second)).ToArray();
        Assert.True(differences.Length == 0, string.Join("\n", differences) + $"\nreal: {string.Join(" ", realResults.Select(r => r.Fields.ToJsonString()))}\nsimulated: {string.Join(" ", simulatedResults.Select(r => r.Fields.ToJsonString()))}");
        return (realResults, simulatedResults);
    }

    [Fact]
    public async Task The_real_script_and_the_virtual_host_answer_every_verb_alike()
    {
        using var ca = new TestCa();
        using var foreign = ca.SignForeignKey();

        await BothAsync(Requests.Status());
        await BothAsync(Requests.Config(AgentVerbs.ApplyConfig));
        var (realEnrol, simulatedEnrol) = await BothAsync(Requests.InstallAndCsr("ec"));
        await BothAsync(Requests.Csr("dsa"));
        await BothAsync(Requests.InstallCert(foreign, ca.BundlePem));
        await BothAsync(AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]> { ["host.crt"] = "not a certificate"u8.ToArray(), ["ca-bundle.pem"] = ca.BundlePem }));

        using var realCert = ca.Sign(Convert.FromBase64String(realEnrol[1].GetString("csr")!), [0x00, 0xbe, 0xef]);
        using var simulatedCert = ca.Sign(Convert.FromBase64String(simulatedEnrol[1].GetString("csr")!), [0x00, 0xbe, 0xef]);
        var (realInstalled, simulatedInstalled) = await BothAsync(Requests.InstallCert(realCert, ca.BundlePem), Requests.InstallCert(simulatedCert, ca.BundlePem));
        Assert.Equal(simulatedInstalled[0].GetString("serial"), realInstalled[0].GetString("serial"));

        var (realStatus, simulatedStatus) = await BothAsync(Requests.Status());
        Assert.Equal(simulatedStatus[0].GetString("certSerial"), realStatus[0].GetString("certSerial"));
        Assert.Equal(simulatedStatus[0].GetBool("running"), realStatus[0].GetBool("running"));
        await BothAsync(Requests.Config(AgentVerbs.ApplyConfig));

        // The peers file: accepted with the verbs that load conns, refused when malformed.
        await BothAsync(WithPeers(Requests.Config(AgentVerbs.ApplyConfig), "10.99.0.9\nfd00::9\n"));
        var (realBadPeers, _) = await BothAsync(WithPeers(Requests.Config(AgentVerbs.ApplyConfig), "10.99.0.9\nten.nine\n"));
        Assert.Equal("bad_request", realBadPeers[0].Code);
        // A rotation (on the real host: a switch to the other conn set).
        var (realRenewal, simulatedRenewal) = await BothAsync(Requests.Csr("ec"));
        using var realRenewed = ca.Sign(Convert.FromBase64String(realRenewal[0].GetString("csr")!), [0x00, 0xbe, 0xf0]);
        using var simulatedRenewed = ca.Sign(Convert.FromBase64String(simulatedRenewal[0].GetString("csr")!), [0x00, 0xbe, 0xf0]);
        await BothAsync(Requests.InstallCert(realRenewed, ca.BundlePem), Requests.InstallCert(simulatedRenewed, ca.BundlePem));
        (realStatus, simulatedStatus) = await BothAsync(Requests.Status());
        Assert.Equal(simulatedStatus[0].GetString("certSerial"), realStatus[0].GetString("certSerial"));
        using var other = new TestCa("unrelated CA");
        await BothAsync(Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, new Dictionary<string, byte[]> { [ca.CaId] = ca.Crl(1, [0x00, 0xbe, 0xef]) }));
        // A CRL adding serial 12: both delete the SAs with its address only, and say how the CRL was put in force.
        var (realCut, simulatedCut) = await BothAsync(Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem,
            new Dictionary<string, byte[]> { [ca.CaId] = ca.Crl(2, [0x00, 0xbe, 0xef], [0x12]) }, revokedPeers: "12 10.77.0.9\nbeef 10.77.0.10\n"));
        Assert.Equal("[\"10.77.0.9\"]", realCut[0].Fields["cutPeers"]!.ToJsonString());
        Assert.Equal(realCut[0].Fields["cutPeers"]!.ToJsonString(), simulatedCut[0].Fields["cutPeers"]!.ToJsonString());
        Assert.Equal("trigger", realCut[0].GetString("crlRefresh"));
        Assert.Equal("trigger", simulatedCut[0].GetString("crlRefresh"));
        // An older CRL (number 1): both refuse it and keep theirs.
        var (realOlder, _) = await BothAsync(Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, new Dictionary<string, byte[]> { [ca.CaId] = ca.Crl(1) }));
        Assert.Equal("bad_certificate", realOlder[0].Code);
        await BothAsync(Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, new Dictionary<string, byte[]> { [ca.CaId] = other.Crl(2) }));
        await BothAsync(Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, new Dictionary<string, byte[]> { [other.CaId] = other.Crl(2) }));
        await BothAsync(AgentRequest.For(AgentVerbs.ApplyConfig, new Dictionary<string, string> { ["configHash"] = "0123456789ab" },
            MeshPolicy.Default.RenderBundle().Append(new KeyValuePair<string, byte[]>($"crl/{ca.CaId}.crl", ca.Crl(3))).ToDictionary()));
        await BothAsync(AgentRequest.For(AgentVerbs.Install, files: MeshPolicy.Default.RenderBundle()));
        await BothAsync(Requests.Uninstall());
        var (realAfter, simulatedAfter) = await BothAsync(Requests.Status());
        Assert.Equal(simulatedAfter[0].GetBool("running"), realAfter[0].GetBool("running"));
    }

    [Fact]
    public async Task Both_re_create_a_damaged_nss_database_on_install_and_refuse_a_libreswan_older_than_4()
    {
        using var ca = new TestCa();
        var (realEnrol, simulatedEnrol) = await BothAsync(Requests.InstallAndCsr("ec"));
        using var realCert = ca.Sign(Convert.FromBase64String(realEnrol[1].GetString("csr")!), [0x0d]);
        using var simulatedCert = ca.Sign(Convert.FromBase64String(simulatedEnrol[1].GetString("csr")!), [0x0d]);
        await BothAsync(Requests.InstallCert(realCert, ca.BundlePem), Requests.InstallCert(simulatedCert, ca.BundlePem));

        // A truncated cert9.db: apply-config and csr refuse it, status reports no certificate.
        await _host!.RunShellAsync("truncate -s 0 /var/lib/ipsec/nss/cert9.db\n", Ct);
        _virtual!.DamageNssDatabase();
        var (realStatus, simulatedStatus) = await BothAsync(Requests.Status());
        Assert.Null(realStatus[0].GetString("certSerial"));
        Assert.Null(simulatedStatus[0].GetString("certSerial"));
        var (realApply, _) = await BothAsync(Requests.Config(AgentVerbs.ApplyConfig));
        Assert.Equal("nss_failed", realApply[0].Code);
        await BothAsync(Requests.Csr("ec"));

        // install re-creates it and says so, once.
        var (realInstall, simulatedInstall) = await BothAsync(Requests.Config(AgentVerbs.Install));
        Assert.True(realInstall[0].GetBool("nssReinitialised"));
        Assert.True(simulatedInstall[0].GetBool("nssReinitialised"));
        (realStatus, simulatedStatus) = await BothAsync(Requests.Status());
        Assert.Null(realStatus[0].GetString("certSerial"));
        Assert.Null(simulatedStatus[0].GetString("certSerial"));
        (realInstall, simulatedInstall) = await BothAsync(Requests.InstallAndCsr("ec"));
        Assert.False(realInstall[0].GetBool("nssReinitialised"));
        Assert.False(simulatedInstall[0].GetBool("nssReinitialised"));

        // libreswan 3.32 on the host: install refuses it.
        await _host.WrapToolAsync("ipsec", "if [ \"$1\" = --version ]; then echo 'Linux Libreswan 3.32 (netkey) on 4.18.0'; exit 0; fi\nexec \"$REAL\" \"$@\"");
        _virtual.UseLibreswanVersion("3.32");
        var (realOld, simulatedOld) = await BothAsync(Requests.Config(AgentVerbs.Install));
        Assert.Equal("unsupported_version", realOld[0].Code);
        Assert.Equal("libreswan 3.32 is older than 4.0", realOld[0].Error);
        Assert.Equal(realOld[0].Error, simulatedOld[0].Error);
    }

    [Fact]
    public async Task A_missing_or_altered_input_file_is_refused_alike_before_anything_runs()
    {
        var request = Requests.Config(AgentVerbs.ApplyConfig);
        var inputs = request.ToPayload().Inputs!;

        var (missing, _) = await BothAsync(request, upload: false);
        _aws!.WriteObject(AgentDocument.InputsKey(inputs.Sha256), [.. inputs.Content.Take(inputs.Content.Length - 8), .. "Cg==\n\n\n\n"u8.ToArray()]);
        var (altered, _) = await BothAsync(request, upload: false);

        Assert.Equal(("request", "inputs_failed"), (Assert.Single(missing).Verb, missing[0].Code));
        Assert.Equal(("request", "inputs_failed"), (Assert.Single(altered).Verb, altered[0].Code));
        Assert.Contains("another SHA-256", altered[0].Error, StringComparison.Ordinal);
    }
}
