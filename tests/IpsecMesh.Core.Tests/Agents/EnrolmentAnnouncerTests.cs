using System.Net;
using System.Text;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Agents;

/// <summary>Hosts enabled while each other's enrolment commands ran are asked to initiate to each other.</summary>
public class EnrolmentAnnouncerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>private 10.1.0.0/16 with a clear /32 in it.</summary>
    private static readonly MeshPolicy Policy = MeshPolicy.Load(new Dictionary<string, string>
    {
        [PolicyGroups.TemplateFile] = MeshPolicy.Default.ToFiles()[PolicyGroups.TemplateFile],
        [PolicyGroups.Private] = "10.1.0.0/16\n",
        [PolicyGroups.Clear] = "10.1.9.9/32\n",
        [PolicyGroups.PrivateOrClear] = "",
        [PolicyGroups.ClearOrPrivate] = "",
        [PolicyGroups.Block] = "",
    }, "test").Policy!;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly RecordingSsm _ssm = new();

    private EnrolmentAnnouncer Announcer(int latePeerLimit = 200) =>
        new(_ssm, new IpsecMeshOptions { LatePeerLimit = latePeerLimit }, _time, NullLogger<EnrolmentAnnouncer>.Instance);

    private static IPAddress[] At(params string[] addresses) => [.. addresses.Select(IPAddress.Parse)];

    [Fact]
    public async Task Hosts_enabled_in_one_round_each_get_one_request_naming_all_of_them()
    {
        var announcer = Announcer();
        var sent = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(40));
        announcer.Enabled("i-1", At("10.1.0.5"), sent);
        announcer.Enabled("i-2", At("10.1.0.9"), sent);
        announcer.Enabled("i-3", At("10.1.0.13", "10.1.9.9"), sent);

        await announcer.AnnounceAsync(Policy, Ct);

        Assert.Equal(["i-1", "i-2", "i-3"], _ssm.Sends.Select(s => s.InstanceId));
        // One request for all (so they share a SendCommand); the clear address is left out.
        Assert.All(_ssm.Sends, s => Assert.Equal([AgentVerbs.Initiate], s.Request.Verbs));
        Assert.All(_ssm.Sends, s => Assert.Equal("10.1.0.5\n10.1.0.9\n10.1.0.13\n", Encoding.ASCII.GetString(s.Request.Files[AgentRequests.PeersFile])));
        // Announced once.
        await announcer.AnnounceAsync(Policy, Ct);
        Assert.Equal(3, _ssm.Sends.Count);
    }

    [Fact]
    public async Task A_later_host_names_the_hosts_enabled_since_its_command_was_sent_and_no_earlier_ones()
    {
        var announcer = Announcer();
        var start = _time.GetUtcNow();
        announcer.Enabled("i-early", At("10.1.0.1"), start);
        _time.Advance(TimeSpan.FromSeconds(10));
        var laterSent = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(10));
        announcer.Enabled("i-overlap", At("10.1.0.2"), start);
        await announcer.AnnounceAsync(Policy, Ct);
        _ssm.Sends.Clear();
        _time.Advance(TimeSpan.FromSeconds(30));

        announcer.Enabled("i-late", At("10.1.0.3"), laterSent);
        await announcer.AnnounceAsync(Policy, Ct);

        var send = Assert.Single(_ssm.Sends);
        Assert.Equal("i-late", send.InstanceId);
        // i-early was enabled before i-late's command was sent, so that command listed it already.
        Assert.Equal("10.1.0.2\n10.1.0.3\n", Encoding.ASCII.GetString(send.Request.Files[AgentRequests.PeersFile]));
    }

    [Fact]
    public async Task A_host_alone_or_with_late_peers_switched_off_gets_nothing()
    {
        var announcer = Announcer();
        announcer.Enabled("i-1", At("10.1.0.5"), _time.GetUtcNow());
        await announcer.AnnounceAsync(Policy, Ct);

        var off = Announcer(latePeerLimit: 0);
        off.Enabled("i-1", At("10.1.0.5"), _time.GetUtcNow());
        off.Enabled("i-2", At("10.1.0.9"), _time.GetUtcNow());
        await off.AnnounceAsync(Policy, Ct);

        Assert.Empty(_ssm.Sends);
    }

    [Fact]
    public async Task A_failed_send_is_not_retried_and_does_not_stop_the_others()
    {
        var announcer = Announcer();
        _ssm.FailFor = "i-1";
        announcer.Enabled("i-1", At("10.1.0.5"), _time.GetUtcNow());
        announcer.Enabled("i-2", At("10.1.0.9"), _time.GetUtcNow());

        await announcer.AnnounceAsync(Policy, Ct);
        await announcer.AnnounceAsync(Policy, Ct);

        Assert.Equal(["i-2"], _ssm.Sends.Select(s => s.InstanceId));
    }

    private sealed class RecordingSsm : ISsmGateway
    {
        public List<(string InstanceId, AgentRequest Request)> Sends { get; } = [];
        public string? FailFor { get; set; }

        public Task<string> SendAsync(string instanceId, AgentRequest request, CancellationToken cancellationToken)
        {
            if (instanceId == FailFor) throw new InvalidOperationException("throttled");
            Sends.Add((instanceId, request));
            return Task.FromResult("command-1");
        }

        public Task<IReadOnlyList<InvocationSummary>> ListInvocationsAsync(DateTimeOffset since, string? commandId, bool details, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<CommandSnapshot> FetchAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> SendToTaggedAsync(string tagKey, string tagValue, AgentRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyDictionary<string, TrackedCommand>> RecoverAsync(DateTimeOffset since, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
