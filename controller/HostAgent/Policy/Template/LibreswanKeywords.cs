namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>
/// Every keyword libreswan's ipsec.conf parser knows, as the union of libreswan 4.10 and 5.2
/// (lib/libipsecconf/keywords.c of each release; a <c>kv_leftright</c> entry is both its
/// <c>left</c> and <c>right</c> form). A template keyword outside these sets is a typo, reported as
/// such; a known keyword may still be one the mesh does not allow (<see cref="TemplateRules"/>).
/// </summary>
public static class LibreswanKeywords
{
    /// <summary>Keywords of the <c>config setup</c> section.</summary>
    public static IReadOnlySet<string> Setup { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "audit-log", "crl-strict", "crlcheckinterval", "curl-iface", "curl-timeout", "ddos-ike-threshold",
        "ddos-mode", "debug", "dnssec-anchors", "dnssec-enable", "dnssec-rootkey-file", "drop-oppo-null",
        "dumpdir", "global-redirect", "global-redirect-to", "ike-socket-bufsize", "ike-socket-errqueue",
        "ikev1-policy", "ikev1-secctx-attr-type", "interfaces", "ipsec-interface-managed", "ipsecdir",
        "keep-alive", "listen", "listen-tcp", "listen-udp", "logappend", "logfile", "logip", "logtime",
        "max-halfopen-ike", "myvendorid", "nflog-all", "nhelpers", "nssdir", "ocsp-cache-max-age",
        "ocsp-cache-min-age", "ocsp-cache-size", "ocsp-enable", "ocsp-method", "ocsp-strict",
        "ocsp-timeout", "ocsp-trustname", "ocsp-uri", "plutodebug", "plutostderrlog", "protostack",
        "seccomp", "secctx-attr-type", "secretsfile", "seedbits", "shuntlifetime", "statsbin", "syslog",
        "uniqueids", "virtual-private", "virtual_private", "xfrmlifetime",
    };

    /// <summary>Keywords of a <c>conn</c> section.</summary>
    public static IReadOnlySet<string> Conn { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "accept-redirect", "accept-redirect-to", "aggressive", "aggrmode", "ah", "also", "alsoflip",
        "authby", "auto", "cisco-unity", "clientaddrfamily", "compress", "connalias", "decap-dscp",
        "dpdaction", "dpddelay", "dpdtimeout", "enable-tcp", "encap-dscp", "encapsulation", "esn", "esp",
        "failureshunt", "fake-strongswan", "forceencaps", "fragmentation", "hostaddrfamily",
        "ignore-peer-dns", "ike", "ikelifetime", "ikepad", "ikev1-dpdtimeout", "ikev2", "initial-contact",
        "intermediate", "ipsec-interface", "ipsec-lifetime", "ipsec-max-bytes", "ipsec-max-packets",
        "iptfs", "iptfs-drop-time", "iptfs-fragmentation", "iptfs-init-delay", "iptfs-max-queue-size",
        "iptfs-packet-size", "iptfs-reorder-window", "keyexchange", "keyingtries", "keylife", "left",
        "leftaddresspool", "leftauth", "leftautheap", "leftca", "leftcat", "leftcert", "leftckaid",
        "leftecdsakey", "leftgroundhog", "leftid", "leftikeport", "leftinterface-ip", "leftmodecfgclient",
        "leftmodecfgserver", "leftnexthop", "leftprotoport", "leftpubkey", "leftrsasigkey", "leftsendcert",
        "leftsourceip", "leftsubnet", "leftsubnets", "leftupdown", "leftusername", "leftvti",
        "leftxauthclient", "leftxauthserver", "leftxauthusername", "lifetime", "mark", "mark-in",
        "mark-out", "metric", "mobike", "modecfgbanner", "modecfgdns", "modecfgdomains", "modecfgpull",
        "ms-dh-downgrade", "mtu", "narrowing", "nat-ikev1-method", "nat-keepalive", "negotiationshunt",
        "nflog", "nic-offload", "nm-configured", "nopmtudisc", "overlapip", "pam-authorize", "pfs",
        "pfs-rekey-workaround", "phase2", "phase2alg", "policy-label", "ppk", "ppk-ids", "priority",
        "reauth", "redirect-to", "rekey", "rekeyfuzz", "rekeymargin", "remote-peer-type",
        "remote_peer_type", "replay-window", "reqid", "require-id-on-certificate", "retransmit-interval",
        "retransmit-timeout", "right", "rightaddresspool", "rightauth", "rightautheap", "rightca",
        "rightcat", "rightcert", "rightckaid", "rightecdsakey", "rightgroundhog", "rightid",
        "rightikeport", "rightinterface-ip", "rightmodecfgclient", "rightmodecfgserver", "rightnexthop",
        "rightprotoport", "rightpubkey", "rightrsasigkey", "rightsendcert", "rightsourceip", "rightsubnet",
        "rightsubnets", "rightupdown", "rightusername", "rightvti", "rightxauthclient", "rightxauthserver",
        "rightxauthusername", "salifetime", "sec-label", "send-no-esp-tfc", "send-redirect",
        "send-vendorid", "sendca", "session-resumption", "sha2-truncbug", "tcp-remoteport", "tfc", "type",
        "vti-interface", "vti-routing", "vti-shared", "xauthby", "xauthfail",
    };
}
