using System.Text;
using IpsecMesh.Core.Agents;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Tests.Agents;

/// <summary>What the controller sends with a config: the CRLs, and the addresses of recently revoked certificates.</summary>
public class AgentRequestsTests
{
    private static readonly TrustBundle Bundle = new("bundle", "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n", ["0123456789abcdef"]);

    [Fact]
    public void A_config_verb_carries_the_revoked_peers_one_serial_and_address_a_line()
    {
        IReadOnlyList<RevokedPeer> peers = [new("1f2e", "10.0.1.9"), new("1f2e", "2a05:d018:1:2::17"), new("a0", "10.0.3.4")];

        var request = AgentRequests.ForVerbs([AgentVerbs.ApplyConfig], MeshPolicy.Default, Bundle, "0123456789ab", "ec",
            [new PublishedCrl("0123456789abcdef", [0x30, 0x00])], peers);

        Assert.Equal("1f2e 10.0.1.9\n1f2e 2a05:d018:1:2::17\na0 10.0.3.4\n", Encoding.ASCII.GetString(request.Files[AgentRequests.RevokedPeersFile]));
        Assert.Equal([0x30, 0x00], request.Files["crl/0123456789abcdef.crl"]);
        // It survives the wire: the agent reads what the controller wrote.
        Assert.Equal(request.Files[AgentRequests.RevokedPeersFile], AgentRequest.Parse(request.ToText()).Files[AgentRequests.RevokedPeersFile]);
    }

    [Fact]
    public void Without_revocations_or_outside_the_config_verbs_no_revoked_peers_file_is_sent()
    {
        var none = AgentRequests.ForVerbs([AgentVerbs.ApplyConfig], MeshPolicy.Default, Bundle, "0123456789ab", "ec", [], []);
        var csr = AgentRequests.ForVerbs([AgentVerbs.Csr], MeshPolicy.Default, Bundle, "0123456789ab", "ec", [], [new RevokedPeer("a0", "10.0.3.4")]);

        Assert.False(none.Files.ContainsKey(AgentRequests.RevokedPeersFile));
        Assert.False(csr.Files.ContainsKey(AgentRequests.RevokedPeersFile));
    }
}
