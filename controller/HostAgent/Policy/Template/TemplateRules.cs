namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>
/// What the mesh's conn template may say, section by section. The template is data, never code:
/// no updown scripts, no includes, no conns beyond the base and the five policy groups, and the
/// identity settings that bind a peer to its address are fixed — the IKE ID of each end is its IP
/// address (libreswan's default when <c>leftid</c>/<c>rightid</c> are unset), and the peer's
/// certificate must name the address it is talked to at (<c>require-id-on-certificate</c>, on by
/// default; libreswan programs/pluto/peer_id.c, update_peer_id_certs).
/// </summary>
public static class TemplateRules
{
    /// <summary>The longest <c>retransmit-timeout</c> allowed; the agent's acquire lifetime is this plus 5 s (kernel.sh).</summary>
    public static readonly TimeSpan MaxRetransmitTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The conn every encrypting group includes with <c>also=</c>.</summary>
    public const string BaseConn = "ipsec-mesh-base";

    private const string IdentityReason =
        "the IKE identity must stay the host's address (libreswan's default), which the peer checks against the certificate's IP SAN; " +
        "%fromcert, a DN or any other ID lets a holder of any mesh certificate claim any address";

    private const string UpdownReason = "an updown script would run as root on every host; only %disabled is allowed";

    private static readonly ValueRule Route = ValueRule.OneOf("ondemand", "route");

    /// <summary>
    /// <c>config setup</c>. <c>crlcheckinterval</c> must be positive: only then does pluto run the CRL check the agent
    /// triggers to put a new CRL in force at once (<c>whack --impair trigger:CHECK_CRLS</c>; docs/pki.md).
    /// </summary>
    public static SectionRules Setup { get; } = new(
        Required: new Dictionary<string, ValueRule>
        {
            ["crlcheckinterval"] = ValueRule.PositiveDuration,
        },
        Optional: new Dictionary<string, ValueRule>
        {
            ["shuntlifetime"] = ValueRule.Duration,
            ["crl-strict"] = ValueRule.OneOf("yes", "no"),
            ["plutodebug"] = ValueRule.DebugClasses,
        },
        Refused: new Dictionary<string, string>());

    public static SectionRules Base { get; } = new(
        Required: new Dictionary<string, ValueRule>
        {
            ["left"] = ValueRule.OneOf("%defaultroute"),
            ["leftcert"] = ValueRule.OneOf(ConnTemplate.HostCertificateNickname),
            ["leftsendcert"] = ValueRule.OneOf("always"),
            ["right"] = ValueRule.OneOf("%opportunisticgroup"),
            // One key type per mesh: "rsasig,ecdsa" makes libreswan 4.x sign with RSA even with an EC key (libreswan issue #789).
            ["authby"] = ValueRule.OneOf("ecdsa", "rsasig", "rsa-sha2"),
            ["ikev2"] = ValueRule.OneOf("insist", "yes"),
            ["narrowing"] = ValueRule.OneOf("yes"),
        },
        Optional: new Dictionary<string, ValueRule>
        {
            ["leftupdown"] = ValueRule.OneOf("%disabled"),
            ["require-id-on-certificate"] = new ValueRule("yes (the default): with no, a certificate need not name the address its holder claims", v => v == "yes"),
            ["keyingtries"] = ValueRule.Count(0, 10),
            ["retransmit-timeout"] = ValueRule.DurationUpTo(MaxRetransmitTimeout),
            ["retransmit-interval"] = ValueRule.Count(50, 10_000),
            ["ike"] = ValueRule.Proposals,
            ["esp"] = ValueRule.Proposals,
            ["ikelifetime"] = ValueRule.Duration,
            ["salifetime"] = ValueRule.Duration,
            ["rekeymargin"] = ValueRule.Duration,
            ["rekeyfuzz"] = new ValueRule("a percentage such as 100%", v => v.EndsWith('%') && int.TryParse(v[..^1], out var p) && p is >= 0 and <= 1000),
            ["dpddelay"] = ValueRule.Duration,
            ["dpdtimeout"] = ValueRule.Duration,
            ["pfs"] = ValueRule.OneOf("yes", "no"),
            ["fragmentation"] = ValueRule.OneOf("yes", "no", "force"),
            ["type"] = ValueRule.OneOf("tunnel", "transport"),
            ["replay-window"] = ValueRule.Count(0, 4096),
        },
        Refused: new Dictionary<string, string>
        {
            ["leftid"] = IdentityReason,
            ["rightid"] = IdentityReason,
            ["rightca"] = "the mesh CAs the agent installs in the host's NSS database are the trust anchors; a CA constraint here would refuse peers of the other CA during a CA rotation, or trust a foreign one",
            ["leftca"] = "the host's own CA is the one that issued its certificate",
            ["auto"] = "a base conn reached by also= must not set auto=",
            ["also"] = "the base conn stands alone",
            ["rightupdown"] = UpdownReason,
        });

    public static IReadOnlyDictionary<string, SectionRules> Groups { get; } = new Dictionary<string, SectionRules>(StringComparer.Ordinal)
    {
        [PolicyGroups.Private] = Encrypting(ValueRule.OneOf("hold", "drop"), ValueRule.OneOf("drop", "reject"), Route),
        [PolicyGroups.PrivateOrClear] = Encrypting(ValueRule.OneOf("hold", "passthrough"), ValueRule.OneOf("passthrough", "drop"), Route),
        [PolicyGroups.ClearOrPrivate] = Encrypting(ValueRule.OneOf("passthrough"), ValueRule.OneOf("passthrough"), ValueRule.OneOf("add")),
        [PolicyGroups.Clear] = Shunt(ValueRule.OneOf("passthrough")),
        [PolicyGroups.Block] = Shunt(ValueRule.OneOf("reject", "drop")),
    };

    /// <summary>Every conn the template must define, in the order messages name them.</summary>
    public static IReadOnlyList<string> Conns { get; } = [BaseConn, .. PolicyGroups.All];

    public static SectionRules? For(TemplateSection section) =>
        section.IsSetup ? Setup : section.Name == BaseConn ? Base : Groups.GetValueOrDefault(section.Name);

    private static SectionRules Encrypting(ValueRule negotiation, ValueRule failure, ValueRule auto) => new(
        Required: new Dictionary<string, ValueRule>
        {
            ["also"] = ValueRule.OneOf(BaseConn),
            ["negotiationshunt"] = negotiation,
            ["failureshunt"] = failure,
            ["auto"] = auto,
        },
        Optional: new Dictionary<string, ValueRule>
        {
            ["keyingtries"] = ValueRule.Count(0, 10),
            ["retransmit-timeout"] = ValueRule.DurationUpTo(MaxRetransmitTimeout),
        },
        Refused: new Dictionary<string, string>
        {
            ["leftid"] = IdentityReason,
            ["rightid"] = IdentityReason,
            ["leftupdown"] = UpdownReason,
            ["rightupdown"] = UpdownReason,
            ["type"] = "an encrypting group's type comes from the base conn; a passthrough here would send the group in clear",
        });

    private static SectionRules Shunt(ValueRule type) => new(
        Required: new Dictionary<string, ValueRule>
        {
            ["type"] = type,
            ["authby"] = ValueRule.OneOf("never"),
            ["left"] = ValueRule.OneOf("%defaultroute"),
            ["right"] = ValueRule.OneOf("%group"),
            ["auto"] = Route,
        },
        Optional: new Dictionary<string, ValueRule>
        {
            ["leftupdown"] = ValueRule.OneOf("%disabled"),
        },
        Refused: new Dictionary<string, string>
        {
            ["rightupdown"] = UpdownReason,
        });
}
