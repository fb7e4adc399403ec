using IpsecMesh.Integration.Tests.Support;
using System.Text;
using System.Text.Json;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.Commands;

/// <summary>
/// What a command carries and what SSM makes of it: only the request envelope in the SendCommand
/// parameters, whatever the CRLs; the files through hosts/inputs/; a refused instance dropped from
/// its batch without holding up the others.
/// </summary>
public sealed class SendingTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int ParameterBytes(AgentRequest request) =>
        JsonSerializer.SerializeToUtf8Bytes(AgentDocument.Parameters(request.ToPayload(), 600)).Length;

    [Fact]
    public void The_parameters_stay_the_size_of_the_envelope_at_10000_revoked_certificates()
    {
        using var fixtures = new CrlFixtures();
        var document = Encoding.UTF8.GetByteCount(AgentDocument.ToJson(AgentDocument.Build(AgentScript.Content, new InputsLocation("ipsec-mesh-123456789012-eu-west-1", "eu-west-1"))));
        var certificate = "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(new byte[700], Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n";
        var rows = new List<string>();
        foreach (var revoked in new[] { 0, 10_000 })
        {
            var crls = revoked == 0 ? [] : new[] { fixtures.Crl(revoked) };
            var install = AgentRequests.ForVerbs([AgentVerbs.Install, AgentVerbs.Csr], MeshPolicy.Default, fixtures.Bundle, MeshPolicy.Default.Hash, "ec", crls);
            var apply = AgentRequests.ForVerbs([AgentVerbs.ApplyConfig], MeshPolicy.Default, fixtures.Bundle, MeshPolicy.Default.Hash, "ec", crls);
            var installCert = AgentRequests.InstallCert(certificate, fixtures.Bundle);
            foreach (var (name, request) in new[] { ("install+csr", install), ("apply-config", apply), ("install-cert", installCert) })
            {
                var parameters = ParameterBytes(request);
                var inputs = request.ToPayload().Inputs!.Content.Length;
                rows.Add($"{name,-12} revoked {revoked,6}: SendCommand parameters {parameters,4} bytes, input file {inputs,7} bytes, document + parameters {document + parameters} of {AgentDocument.MaxDocumentBytes}");
                Assert.True(parameters < 600, $"{name} at {revoked} revoked: {parameters} bytes of parameters");
                Assert.True(document + parameters < AgentDocument.MaxDocumentBytes, $"{name}: the document and its parameters ({document + parameters} bytes) exceed SSM's 64 KB");
            }
            if (revoked > 0) Assert.True(apply.ToPayload().Inputs!.Content.Length > 300_000, "10,000 revoked certificates make a large CRL, which travels in the input file");
        }
        output.WriteLine($"agent document {document} bytes");
        foreach (var row in rows) output.WriteLine(row);
    }

    [Fact]
    public async Task Apply_config_with_10000_revoked_certificates_reaches_a_host_through_the_simulated_SSM_and_S3()
    {
        using var fixtures = new CrlFixtures();
        await using var fixture = new GatewayFixture();
        var host = new VirtualHost(VirtualHostOptions.Instant);
        var id = fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = host }).InstanceId;
        var crl = fixtures.Crl(10_000);
        var install = AgentRequests.ForVerbs([AgentVerbs.Install], MeshPolicy.Default, fixtures.Bundle, MeshPolicy.Default.Hash, "ec", [crl]);

        var commandId = await fixture.Gateway.SendAsync(id, install, Ct);
        var done = await WaitAsync(fixture, commandId, id);

        Assert.Equal(Core.Model.CommandStatus.Success, done.Status);
        Assert.True(Assert.Single(done.Results).Ok);
        Assert.Equal(crl.Der, host.State.Crls[fixtures.CaId]);
        var key = Assert.Single(fixture.Aws.ListKeys(AgentDocument.InputsPrefix));
        Assert.Equal(install.ToPayload().Inputs!.Content, fixture.Aws.ReadObject(key));
    }

    [Fact]
    public async Task Identical_commands_write_their_input_file_once_and_it_is_never_overwritten()
    {
        await using var fixture = new GatewayFixture();
        var ids = Enumerable.Range(0, 3).Select(_ => fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId).ToList();
        var request = AgentRequests.ForVerbs([AgentVerbs.Install], MeshPolicy.Default, new Pki.TrustBundle("b", "", []), MeshPolicy.Default.Hash, "ec");

        var commands = await Task.WhenAll(ids.Select(id => fixture.Gateway.SendAsync(id, request, Ct)));
        await fixture.Gateway.SendAsync(ids[0], request, Ct);

        Assert.Single(commands.Distinct());
        Assert.Single(fixture.Aws.ListKeys(AgentDocument.InputsPrefix));
        Assert.Equal(1L, fixture.Aws.Calls["s3:PutObject"].Ok);
    }

    [Fact]
    public async Task One_refused_instance_in_a_batch_of_50_delays_no_one()
    {
        await using var fixture = new GatewayFixture();
        var good = Enumerable.Range(0, 49).Select(_ => fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId).ToList();
        var unregistered = fixture.Aws.Fleet.Launch(new InstanceSpec { AgentInstalled = false }).InstanceId;
        var status = AgentRequest.For(AgentVerbs.Status);

        var sends = good.Append(unregistered).Select(id => fixture.Gateway.SendAsync(id, status, Ct)).ToList();
        await Task.WhenAll(sends.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));

        var refused = await Assert.ThrowsAsync<InvalidInstanceIdException>(() => sends[^1]);
        Assert.Contains(unregistered, refused.Message, StringComparison.Ordinal);
        Assert.All(sends[..^1], s => Assert.True(s.IsCompletedSuccessfully));
        Assert.Single(sends[..^1].Select(s => s.Result).Distinct());
        var calls = fixture.Aws.Calls.Snapshot()["ssm:SendCommand"];
        Assert.Equal((1L, 1L), (calls.Ok, calls.Error));
    }

    [Fact]
    public async Task Fifty_certificate_installs_go_out_as_one_command_each_host_finding_its_own_entry_and_a_terminated_one_delays_no_one()
    {
        await using var fixture = new GatewayFixture();
        var good = Enumerable.Range(0, 49).Select(_ => fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId).ToList();
        var terminated = fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId;
        fixture.Aws.Fleet.Terminate(terminated);
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var ca = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=batch test CA", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var shared = AgentRequests.InstallCertShared(new Pki.TrustBundle("b", ca.ExportCertificatePem(), []));
        // Each host's "certificate" is the CA's own, which no host holds the key of: a host that finds its entry fails no_matching_key, one that does not, not_in_batch.
        var pem = ca.ExportCertificatePem();

        var sends = good.Append(terminated).Select(id => fixture.Gateway.SendCertificateAsync(id, pem, shared, Ct)).ToList();
        await Task.WhenAll(sends.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));

        await Assert.ThrowsAsync<InvalidInstanceIdException>(() => sends[^1]);
        Assert.All(sends[..^1], s => Assert.True(s.IsCompletedSuccessfully));
        var commandId = Assert.Single(sends[..^1].Select(s => s.Result).Distinct());
        var calls = fixture.Aws.Calls.Snapshot()["ssm:SendCommand"];
        Assert.Equal((1L, 1L), (calls.Ok, calls.Error));
        var key = Assert.Single(fixture.Aws.ListKeys(AgentDocument.InputsPrefix));
        var request = AgentRequest.Parse("protocol 1\nverb install-cert\ninputs " + key[AgentDocument.InputsPrefix.Length..] + "\n", _ => fixture.Aws.ReadObject(key));
        Assert.Equal(50, Encoding.ASCII.GetString(request.Files[CertificateBatch.FileName]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var id in good.Take(3))
        {
            var done = await WaitAsync(fixture, commandId, id);
            Assert.Equal("no_matching_key", Assert.Single(done.Results).Code);
        }
    }

    [Fact]
    public async Task A_refusal_that_names_no_instance_is_narrowed_down_by_halves()
    {
        await using var fixture = new GatewayFixture(handler => new AnonymousRefusals(handler));
        var good = Enumerable.Range(0, 49).Select(_ => fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId).ToList();
        var unregistered = fixture.Aws.Fleet.Launch(new InstanceSpec { AgentInstalled = false }).InstanceId;
        var status = AgentRequest.For(AgentVerbs.Status);

        var sends = good.Append(unregistered).Select(id => fixture.Gateway.SendAsync(id, status, Ct)).ToList();
        await Task.WhenAll(sends.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));

        await Assert.ThrowsAsync<InvalidInstanceIdException>(() => sends[^1]);
        Assert.All(sends[..^1], s => Assert.True(s.IsCompletedSuccessfully));
        var calls = fixture.Aws.Calls.Snapshot()["ssm:SendCommand"];
        // 50 → 25 + 25 → … → 1: one refused call per halving (7), each with one good half sent.
        Assert.True(calls.Error <= 7 && calls.Ok <= 7, $"{calls.Ok} sent, {calls.Error} refused");
    }

    [Fact]
    public async Task A_one_step_command_of_an_earlier_version_is_still_read_after_an_upgrade()
    {
        await using var fixture = new GatewayFixture();
        var answer = AgentResult.Format(AgentVerbs.Status, true) + "\n";
        var id = fixture.Aws.Fleet.Launch(new InstanceSpec { Runtime = new ExternalRuntime((_, _, _) => Task.FromResult(new CommandOutcome(0, answer, ""))) }).InstanceId;
        // What AWS-RunShellScript was to earlier versions: one step, the script as a parameter.
        fixture.Aws.CreateDocument("legacy-run-shell-script", """
            {"schemaVersion":"2.2","parameters":{"commands":{"type":"StringList"}},
             "mainSteps":[{"action":"aws:runShellScript","name":"runShellScript","inputs":{"runCommand":"{{ commands }}"}}]}
            """);
        using var ssm = SimulatedClients.Create<Amazon.SimpleSystemsManagement.IAmazonSimpleSystemsManagement>(fixture.Aws);
        var sent = await ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "legacy-run-shell-script", InstanceIds = [id], Comment = "ipsec-mesh status", Parameters = new() { ["commands"] = ["echo"] },
        }, Ct);

        var done = await WaitAsync(fixture, sent.Command.CommandId, id);

        Assert.Equal(Core.Model.CommandStatus.Success, done.Status);
        Assert.Equal(AgentVerbs.Status, Assert.Single(done.Results).Verb);
    }

    private static async Task<Core.Model.CommandSnapshot> WaitAsync(GatewayFixture fixture, string commandId, string instanceId)
    {
        var tracked = new TrackedCommand(commandId, [AgentVerbs.Install], DateTimeOffset.UtcNow);
        for (var i = 0; i < 200; i++)
        {
            var snapshot = await fixture.Gateway.FetchAsync(tracked, instanceId, Ct);
            if (snapshot.Status is not (Core.Model.CommandStatus.Pending or Core.Model.CommandStatus.InProgress)) return snapshot;
            await Task.Delay(50, Ct);
        }
        throw new TimeoutException("the command did not finish");
    }

    /// <summary>SSM's InvalidInstanceId without the instance ids in its message: the gateway must find them itself.</summary>
    private sealed class AnonymousRefusals(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!body.Contains("InvalidInstanceId", StringComparison.Ordinal)) return response;
            var anonymous = new HttpResponseMessage(response.StatusCode)
            {
                Content = new StringContent("""{"__type":"InvalidInstanceId","message":"Instances not in a valid state for account"}""", Encoding.UTF8, "application/x-amz-json-1.1"),
            };
            foreach (var (name, values) in response.Headers) anonymous.Headers.TryAddWithoutValidation(name, values);
            response.Dispose();
            return anonymous;
        }
    }
}
