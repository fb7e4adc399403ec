using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Hosts;
using IpsecMesh.Simulator.State;

namespace IpsecMesh.Simulator;

/// <summary>
/// A host in C# that speaks the host agent protocol (docs/host-agent-protocol.md): like the agent,
/// it takes the request from the last line of the document's script (<c>main '&lt;base64&gt;'</c>) and
/// its input file from where the download step put it, and answers with result lines. Its key pair,
/// certificate and config are real objects a test can inspect. Like the real agent it runs one
/// command at a time (a second concurrent one fails with <c>locked</c>).
/// </summary>
public sealed class VirtualHost : IInstanceRuntime, IDisposable
{
    private readonly VirtualHostOptions _options;
    private readonly SeededRandom _random;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, VerbFailure> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _verbCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _peers = new(StringComparer.Ordinal);
    private bool _busy;
    private int _commandsRun;
    private bool _installed;
    private bool _running;
    private string? _configHash;
    private AsymmetricAlgorithm? _pendingKey;
    private AsymmetricAlgorithm? _currentKey;
    private string? _certificatePem;
    private string? _caBundlePem;
    private readonly Dictionary<string, byte[]> _crls = new(StringComparer.Ordinal);
    private string? _certSerial;
    private DateTimeOffset? _certNotAfter;
    private bool _nssDamaged;
    private string _libreswanVersion;
    /// <summary>A CA left the bundle while "pluto" ran: it trusts it until it restarts (the real agent's caRemovalPending).</summary>
    private bool _caRemovalPending;
    private readonly List<string> _cutPeers = [];
    private readonly List<BundleChange> _bundles = [];

    public VirtualHost(VirtualHostOptions? options = null)
    {
        _options = options ?? new VirtualHostOptions();
        _random = new SeededRandom(_options.Seed);
        _libreswanVersion = _options.LibreswanVersion;
    }

    /// <summary>Running with a certificate: what `status` of a peer counts as an SA partner.</summary>
    public bool IsEnabled { get { lock (_sync) return _running && _certSerial is not null; } }

    public VirtualHostState State
    {
        get
        {
            lock (_sync)
            {
                return new VirtualHostState
                {
                    Installed = _installed,
                    Running = _running,
                    ConfigHash = _configHash,
                    CertSerial = _certSerial,
                    CertNotAfter = _certNotAfter,
                    CertificatePem = _certificatePem,
                    CaBundlePem = _caBundlePem,
                    Crls = _crls.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
                    HasPendingKey = _pendingKey is not null,
                    VerbCounts = new Dictionary<string, int>(_verbCounts, StringComparer.Ordinal),
                    LastPeers = new Dictionary<string, IReadOnlyList<string>>(_peers, StringComparer.Ordinal),
                    CommandsRun = _commandsRun,
                    CaRemovalPending = _caRemovalPending,
                    CutPeers = [.. _cutPeers],
                    Bundles = [.. _bundles],
                };
            }
        }
    }

    internal HostState Export()
    {
        lock (_sync)
        {
            return new HostState(_options.Seed, _options.FailureProbability, _installed, _running, _configHash, KeyOf(_pendingKey), KeyOf(_currentKey),
                _certificatePem, _caBundlePem, new Dictionary<string, byte[]>(_crls, StringComparer.Ordinal), _certSerial, _certNotAfter, _nssDamaged,
                _libreswanVersion, new Dictionary<string, int>(_verbCounts, StringComparer.Ordinal), _commandsRun);
        }

        static KeyState? KeyOf(AsymmetricAlgorithm? key) => key switch
        {
            null => null,
            ECDsa ec => new KeyState("ec", ec.ExportPkcs8PrivateKey()),
            RSA rsa => new KeyState("rsa", rsa.ExportPkcs8PrivateKey()),
            _ => throw new InvalidOperationException($"a host key of type {key.GetType().Name} cannot be saved"),
        };
    }

    /// <summary>A host as it was saved (<see cref="Export"/>), with the options it was launched with.</summary>
    internal static VirtualHost Import(HostState state, VirtualHostOptions options)
    {
        var host = new VirtualHost(options with { Seed = state.Seed, FailureProbability = state.FailureProbability, LibreswanVersion = state.LibreswanVersion })
        {
            _installed = state.Installed,
            _running = state.Running,
            _configHash = state.ConfigHash,
            _pendingKey = KeyFrom(state.PendingKey),
            _certificatePem = state.CertificatePem,
            _caBundlePem = state.CaBundlePem,
            _certSerial = state.CertSerial,
            _certNotAfter = state.CertNotAfter,
            _nssDamaged = state.NssDamaged,
            _commandsRun = state.CommandsRun,
        };
        // The pending key may also be the current one (installed, not yet replaced): keep them one object then.
        host._currentKey = state.CurrentKey is { } current && state.PendingKey is { } pending && current.Pkcs8.AsSpan().SequenceEqual(pending.Pkcs8)
            ? host._pendingKey : KeyFrom(state.CurrentKey);
        foreach (var (caId, der) in state.Crls) host._crls[caId] = der;
        foreach (var (verb, count) in state.VerbCounts) host._verbCounts[verb] = count;
        return host;

        static AsymmetricAlgorithm? KeyFrom(KeyState? key)
        {
            if (key is null) return null;
            AsymmetricAlgorithm algorithm = key.Type == "rsa" ? RSA.Create() : ECDsa.Create();
            algorithm.ImportPkcs8PrivateKey(key.Pkcs8, out _);
            return algorithm;
        }
    }

    /// <summary>Makes <paramref name="verb"/> fail with a protocol failure code, <paramref name="times"/> times (default: until cleared).</summary>
    public void FailVerbWith(string verb, string code, string message, int times = int.MaxValue)
    {
        lock (_sync) _failures[verb] = new VerbFailure(code, message, times);
    }

    public void FailInstallWith(string code, string message, int times = int.MaxValue) => FailVerbWith(AgentVerbs.Install, code, message, times);

    public void ClearFailures()
    {
        lock (_sync) _failures.Clear();
    }

    /// <summary>
    /// Damages the host's NSS database (a truncated cert9.db): like the real agent, <c>apply-config</c>,
    /// <c>csr</c> and the certificate verbs then fail <c>nss_failed</c>, <c>status</c> reports no
    /// certificate, and the next <c>install</c> re-creates the database, losing the key and the
    /// certificate, and says so (<c>nssReinitialised</c>).
    /// </summary>
    public void DamageNssDatabase()
    {
        lock (_sync) _nssDamaged = true;
    }

    /// <summary>The libreswan version the host has from now on (install refuses one older than 4.0).</summary>
    public void UseLibreswanVersion(string version)
    {
        lock (_sync) _libreswanVersion = version;
    }

    /// <summary>Drops the installed state as if someone reinstalled the OS or edited the config by hand.</summary>
    public void Drift(string? configHash = null)
    {
        lock (_sync) _configHash = configHash;
    }

    public async Task<CommandOutcome> ExecuteAsync(CommandContext context, ShellScriptRun run, CancellationToken cancellationToken)
    {
        AgentRequest request;
        try
        {
            request = AgentScriptRequest.Read(run);
        }
        catch (AgentProtocolException e)
        {
            return new CommandOutcome(AgentScriptRequest.ExitCode(e.Code), AgentResult.Format("request", false, code: e.Code, error: e.Message) + "\n", $"ipsec-mesh-agent: {e.Message}\n");
        }
        lock (_sync)
        {
            if (_busy)
                return new CommandOutcome(75, AgentResult.Format(request.Verbs[0], false, code: "locked", error: "another ipsec-mesh command holds the lock") + "\n",
                    "ipsec-mesh-agent: lock held by another command\n");
            _busy = true;
            _commandsRun++;
        }
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        try
        {
            foreach (var verb in request.Verbs)
            {
                var latency = _options.Latency.TryGetValue(verb, out var l) ? l : _options.DefaultLatency;
                if (latency > TimeSpan.Zero) await Task.Delay(latency, context.Time, cancellationToken);
                var result = Run(verb, request, context);
                stdout.Append(AgentResult.Format(verb, result.Ok, result.Fields, result.Code, result.Error)).Append('\n');
                stderr.Append("ipsec-mesh-agent: ").Append(verb).Append(result.Ok ? ": ok" : $": {result.Code}: {result.Error}").Append('\n');
                if (!result.Ok) return new CommandOutcome(AgentScriptRequest.ExitCode(result.Code), stdout.ToString(), stderr.ToString());
            }
            return new CommandOutcome(0, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            lock (_sync) _busy = false;
        }
    }

    private VerbResult Run(string verb, AgentRequest request, CommandContext context)
    {
        // Everything this verb needs from other components (the fleet, the peers, KMS) is read before our lock:
        // no simulator lock is held across a call into another component (docs/simulator.md, "Locks").
        using var inputs = VerbInputs.Gather(verb, request, context);
        lock (_sync)
        {
            _verbCounts[verb] = _verbCounts.GetValueOrDefault(verb) + 1;
            if (_failures.TryGetValue(verb, out var failure) && failure.Remaining > 0)
            {
                failure.Remaining--;
                return VerbResult.Failure(failure.Code, failure.Message);
            }
            if (_random.Chance(_options.FailureProbability)) return VerbResult.Failure(UsualFailure(verb), $"simulated random {verb} failure");
            // As the agent: the verbs that load conns check the peers file before anything else changes.
            if (verb is AgentVerbs.Install or AgentVerbs.ApplyConfig or AgentVerbs.InstallCert or AgentVerbs.InstallP12)
            {
                if (PeersInput.Check(request, out var peers) is { } refused) return refused;
                _peers[verb] = peers;
            }
            if (_nssDamaged && verb is AgentVerbs.ApplyConfig or AgentVerbs.Csr or AgentVerbs.InstallCert or AgentVerbs.InstallP12 && (verb != AgentVerbs.ApplyConfig || _installed))
                return VerbResult.Failure("nss_failed", "the NSS database at /var/lib/ipsec/nss is damaged (certutil -L cannot open it: SEC_ERROR_BAD_DATABASE); install re-creates it");
            return verb switch
            {
                AgentVerbs.Install => Install(request, reportVersion: true),
                AgentVerbs.ApplyConfig => _installed ? Install(request, reportVersion: false) : VerbResult.Failure("not_running", "libreswan is not installed"),
                AgentVerbs.Csr => Csr(request, inputs.PrivateDnsName!),
                AgentVerbs.InstallCert => InstallCert(request, context.InstanceId),
                AgentVerbs.InstallP12 => InstallP12(request, inputs),
                AgentVerbs.Status => Status(inputs.EnabledPeers),
                AgentVerbs.Uninstall => Uninstall(),
                _ => VerbResult.Failure("bad_request", $"unknown verb {verb}"),
            };
        }
    }

    private VerbResult Install(AgentRequest request, bool reportVersion)
    {
        if (!request.Parameters.TryGetValue("configHash", out var hash) || hash.Length == 0)
            return VerbResult.Failure("bad_request", "param configHash is required");
        if (!request.Files.Keys.Any(k => k.StartsWith("config/", StringComparison.Ordinal)))
            return VerbResult.Failure("bad_request", "no config/ files in the request");
        if (reportVersion && MajorVersion(_libreswanVersion) is < 4)
            return VerbResult.Failure("unsupported_version", $"libreswan {_libreswanVersion} is older than 4.0");
        // As the agent: install moves a damaged NSS database aside and makes a new, empty one.
        var reinitialised = reportVersion && _nssDamaged;
        if (reinitialised) ReinitialiseNss();
        if (CheckCrls(request) is { } crlFailure) return crlFailure;
        if (CheckCrlOrder(request, out var newlyRevoked) is { } orderFailure) return orderFailure;
        if (RevokedPeers(request) is not { } revokedPeers) return VerbResult.Failure("bad_request", "revoked-peers is not '<serial hex> <address>' lines");
        var crlsBefore = new Dictionary<string, byte[]>(_crls, StringComparer.Ordinal);
        var changed = 0;
        foreach (var (path, der) in request.Files)
            if (CrlCheck.CaIdOf(path) is { } caId && !(_crls.TryGetValue(caId, out var held) && held.AsSpan().SequenceEqual(der)))
            {
                _crls[caId] = der;
                changed++;
            }
        if (request.Files.TryGetValue("ca-bundle.pem", out var bundle))
        {
            var kept = CaIdsOf(Encoding.ASCII.GetString(bundle));
            if (_running && _caBundlePem is not null && CaIdsOf(_caBundlePem).Any(id => !kept.Contains(id))) _caRemovalPending = true;
            TakeBundle(Encoding.ASCII.GetString(bundle), crlsBefore);
        }
        // As the agent: a pluto (re)started in this command read the CRLs as it started; a running one is made to re-read them.
        var refresh = changed == 0 ? "none" : _running ? "trigger" : "restart";
        if (reinitialised) _caRemovalPending = false;
        var cut = revokedPeers.Where(p => newlyRevoked.Contains(p.Serial)).Select(p => p.Address).Distinct(StringComparer.Ordinal).ToList();
        _cutPeers.AddRange(cut);
        _installed = true;
        _running = true;
        _configHash = hash;
        var fields = new Dictionary<string, JsonNode?>
        {
            ["configHash"] = hash,
            ["crlRefresh"] = refresh,
            ["cutPeers"] = new JsonArray([.. cut.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["caRemovalPending"] = _caRemovalPending,
        };
        if (reportVersion)
        {
            fields["libreswan"] = _libreswanVersion;
            fields["nssReinitialised"] = reinitialised;
            fields["certSerial"] = _certSerial;
        }
        return VerbResult.Success(fields);
    }

    /// <summary>
    /// The agent's refusal of a CRL older than the one held (a lower number, an earlier thisUpdate, or the same number with
    /// other contents), and the serials the changed CRLs newly revoke; null when every CRL may replace the one held.
    /// </summary>
    private VerbResult? CheckCrlOrder(AgentRequest request, out HashSet<string> newlyRevoked)
    {
        newlyRevoked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, der) in request.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (CrlCheck.CaIdOf(path) is not { } caId || CrlFacts.Read(der) is not { } next) continue;
            if (_crls.TryGetValue(caId, out var heldDer) && heldDer.AsSpan().SequenceEqual(der)) continue;
            var held = heldDer is null ? null : CrlFacts.Read(heldDer);
            if (held is not null)
            {
                if ((next.Number ?? -1) < (held.Number ?? -1))
                    return VerbResult.Failure("bad_certificate", $"{path} has CRL number {next.Number}, lower than the number {held.Number} of the CRL this host holds; the host keeps its CRL");
                if (next.ThisUpdate < held.ThisUpdate)
                    return VerbResult.Failure("bad_certificate", $"{path} was issued before the CRL this host holds; the host keeps its CRL");
                if (next.Number == held.Number)
                    return VerbResult.Failure("bad_certificate", $"{path} has the CRL number {next.Number} of the CRL this host holds, with other contents; the host keeps its CRL");
            }
            newlyRevoked.UnionWith(next.Serials.Where(serial => held?.Serials.Contains(serial) != true));
        }
        return null;
    }

    /// <summary>The request's revoked-peers lines (none without the file); null when a line is malformed.</summary>
    private static List<(string Serial, string Address)>? RevokedPeers(AgentRequest request)
    {
        var peers = new List<(string Serial, string Address)>();
        if (!request.Files.TryGetValue("revoked-peers", out var file)) return peers;
        foreach (var line in Encoding.ASCII.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length is 0 or > 40 || !parts[0].All(Uri.IsHexDigit) || !System.Net.IPAddress.TryParse(parts[1], out _)) return null;
            peers.Add((CrlFacts.NormalSerial(parts[0]), parts[1]));
        }
        return peers;
    }

    /// <summary>Takes <paramref name="bundlePem"/> as the trust bundle, noted in <see cref="VirtualHostState.Bundles"/> when its CAs differ from the last one's.</summary>
    private void TakeBundle(string bundlePem, IReadOnlyDictionary<string, byte[]> crlsBefore)
    {
        var caIds = CaIdsOf(bundlePem);
        if (_bundles.Count == 0 || !_bundles[^1].CaIds.SetEquals(caIds)) _bundles.Add(new BundleChange(caIds, crlsBefore));
        _caBundlePem = bundlePem;
    }

    private static HashSet<string> CaIdsOf(string bundlePem)
    {
        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPem(bundlePem);
            return [.. cas.Select(CrlCheck.CaId)];
        }
        catch (CryptographicException)
        {
            return [];
        }
        finally
        {
            foreach (var ca in cas) ca.Dispose();
        }
    }

    private static int? MajorVersion(string version) =>
        int.TryParse(version.Split('.')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major) ? major : null;

    /// <summary>A new NSS database: no key, no certificate, no CA, no CRL.</summary>
    private void ReinitialiseNss()
    {
        _nssDamaged = false;
        _pendingKey?.Dispose();
        _pendingKey = null;
        _currentKey?.Dispose();
        _currentKey = null;
        _certificatePem = null;
        _certSerial = null;
        _certNotAfter = null;
        _caBundlePem = null;
        _crls.Clear();
    }

    /// <summary>The agent's checks of <c>crl/</c> files, in its order and with its codes; null when every CRL is acceptable.</summary>
    private static VerbResult? CheckCrls(AgentRequest request)
    {
        var crls = request.Files.Where(f => f.Key.StartsWith("crl/", StringComparison.Ordinal)).ToList();
        if (crls.Count == 0) return null;
        if (!request.Files.TryGetValue("ca-bundle.pem", out var bundleBytes))
            return VerbResult.Failure("bad_request", "file ca-bundle.pem is required with a CRL");
        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPem(Encoding.ASCII.GetString(bundleBytes));
        }
        catch (CryptographicException)
        {
            return VerbResult.Failure("bad_certificate", "the CA bundle holds a block that is not a certificate");
        }
        try
        {
            if (cas.Count == 0) return VerbResult.Failure("bad_certificate", "the CA bundle holds no certificate");
            foreach (var (path, der) in crls.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (CrlCheck.CaIdOf(path) is not { } caId) return VerbResult.Failure("bad_request", $"{path} is not a crl/<CA id>.crl file");
                var ca = cas.FirstOrDefault(c => CrlCheck.CaId(c) == caId);
                if (ca is null) return VerbResult.Failure("bad_certificate", $"{path}: CA {caId} is not in the CA bundle");
                if (!CrlCheck.IsSignedBy(der, ca)) return VerbResult.Failure("bad_certificate", $"{path} is not a DER CRL signed by CA {caId} of the bundle");
            }
            return null;
        }
        finally
        {
            foreach (var ca in cas) ca.Dispose();
        }
    }

    private VerbResult Csr(AgentRequest request, string privateDnsName)
    {
        var keyType = request.Parameters.GetValueOrDefault("keyType", "ec");
        AsymmetricAlgorithm key;
        CertificateRequest csr;
        var subject = new X500DistinguishedName($"CN={privateDnsName}");
        switch (keyType)
        {
            case "ec":
                var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                (key, csr) = (ec, new CertificateRequest(subject, ec, HashAlgorithmName.SHA256));
                break;
            case "rsa":
                var rsa = RSA.Create(2048);
                (key, csr) = (rsa, new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                break;
            default:
                return VerbResult.Failure("bad_request", "keyType must be rsa or ec");
        }
        var der = csr.CreateSigningRequest();
        _pendingKey?.Dispose();
        _pendingKey = key;
        return VerbResult.Success(new Dictionary<string, JsonNode?> { ["csr"] = Convert.ToBase64String(der) });
    }

    private VerbResult InstallCert(AgentRequest request, string instanceId)
    {
        if (!request.Files.TryGetValue("host.crt", out var certBytes) && request.Files.TryGetValue(CertificateBatch.FileName, out var batch))
        {
            // As the agent: a batch's entry of this instance (the SSM agent's AWS_SSM_INSTANCE_ID), never another's.
            try
            {
                certBytes = Encoding.ASCII.GetBytes(CertificateBatch.Take(batch, instanceId));
            }
            catch (AgentProtocolException e)
            {
                return VerbResult.Failure(e.Code, e.Message);
            }
        }
        if (certBytes is null || !request.Files.TryGetValue("ca-bundle.pem", out var bundleBytes))
            return VerbResult.Failure("bad_request", "host.crt (or host-certs) and ca-bundle.pem are required");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(certBytes));
        }
        catch (CryptographicException)
        {
            return VerbResult.Failure("bad_certificate", "host.crt is not a PEM certificate");
        }
        using (certificate)
        {
            var spki = certificate.PublicKey.ExportSubjectPublicKeyInfo();
            AsymmetricAlgorithm? matching = null;
            if (_pendingKey is not null && spki.AsSpan().SequenceEqual(ExportSpki(_pendingKey))) matching = _pendingKey;
            else if (_currentKey is not null && spki.AsSpan().SequenceEqual(ExportSpki(_currentKey))) matching = _currentKey;
            if (matching is null) return VerbResult.Failure("no_matching_key", "the certificate's public key matches no key in the NSS database");
            var bundle = Encoding.ASCII.GetString(bundleBytes);
            if (ChainProblem(certificate, bundle) is { } problem) return VerbResult.Failure("bad_certificate", problem);
            if (matching == _pendingKey)
            {
                if (_currentKey != _pendingKey) _currentKey?.Dispose();
                _currentKey = _pendingKey;
                _pendingKey = null;
            }
            return Installed(certificate, bundle);
        }
    }

    private VerbResult InstallP12(AgentRequest request, VerbInputs inputs)
    {
        if (!request.Files.TryGetValue("host.p12", out var p12) || !request.Files.TryGetValue("p12-password.kms", out _)
            || !request.Files.TryGetValue("ca-bundle.pem", out var bundleBytes))
            return VerbResult.Failure("bad_request", "host.p12, p12-password.kms and ca-bundle.pem are required");
        if (inputs.KmsError is { } kmsError) return VerbResult.Failure("kms_failed", $"kms decrypt failed: {kmsError}");
        var certificate = LoadPkcs12(p12, inputs.P12Password!);
        if (certificate is null) return VerbResult.Failure("bad_certificate", "host.p12 cannot be opened with the decrypted password");
        using (certificate)
        {
            if (!certificate.HasPrivateKey) return VerbResult.Failure("bad_certificate", "host.p12 holds no private key");
            var bundle = Encoding.ASCII.GetString(bundleBytes);
            if (ChainProblem(certificate, bundle) is { } problem) return VerbResult.Failure("bad_certificate", problem);
            _currentKey?.Dispose();
            _currentKey = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey();
            return Installed(certificate, bundle);
        }
    }

    private VerbResult Installed(X509Certificate2 certificate, string bundle)
    {
        _certificatePem = certificate.ExportCertificatePem();
        TakeBundle(bundle, new Dictionary<string, byte[]>(_crls, StringComparer.Ordinal));
        _certSerial = SerialHex(certificate);
        _certNotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return VerbResult.Success(new Dictionary<string, JsonNode?>
        {
            ["serial"] = _certSerial,
            ["notAfter"] = _certNotAfter.Value.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
    }

    private VerbResult Status(int enabledPeers)
    {
        var peers = _running && _certSerial is not null ? enabledPeers : 0;
        return VerbResult.Success(new Dictionary<string, JsonNode?>
        {
            ["running"] = _running,
            ["libreswan"] = _installed ? _libreswanVersion : null,
            ["configHash"] = _configHash,
            ["certSerial"] = _nssDamaged ? null : _certSerial,
            ["certNotAfter"] = _nssDamaged ? null : _certNotAfter?.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["ipsecSAs"] = peers,
            ["ikeSAs"] = peers,
            ["ikeFailures"] = 0,
            ["shunts"] = new JsonObject { ["oeFailed"] = 0, ["oeFailing"] = 0, ["negotiating"] = 0 },
            ["xfrm"] = new JsonObject { ["inError"] = 0, ["inNoStates"] = 0, ["inTmplMismatch"] = 0, ["outNoStates"] = 0, ["outPolBlock"] = 0 },
            ["caRemovalPending"] = _caRemovalPending,
        });
    }

    private VerbResult Uninstall()
    {
        _installed = false;
        _running = false;
        _configHash = null;
        _certSerial = null;
        _certNotAfter = null;
        _certificatePem = null;
        _caBundlePem = null;
        _crls.Clear();
        _caRemovalPending = false;
        _pendingKey?.Dispose();
        _pendingKey = null;
        _currentKey?.Dispose();
        _currentKey = null;
        return VerbResult.Success();
    }

    private static X509Certificate2? LoadPkcs12(byte[] p12, byte[] password)
    {
        var text = Encoding.UTF8.GetString(password);
        foreach (var candidate in new[] { text, Convert.ToBase64String(password) })
        {
            try
            {
                return X509CertificateLoader.LoadPkcs12(p12, candidate, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
            }
            catch (CryptographicException)
            {
                // try the next reading of the password
            }
        }
        return null;
    }

    /// <summary>Null when the certificate chains to a CA of the bundle (validity dates are not the host's business).</summary>
    private static string? ChainProblem(X509Certificate2 certificate, string bundlePem)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(bundlePem);
        }
        catch (CryptographicException)
        {
            return "ca-bundle.pem is not PEM";
        }
        if (roots.Count == 0) return "ca-bundle.pem holds no certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        var ok = chain.Build(certificate);
        foreach (var root in roots) root.Dispose();
        return ok ? null : "the certificate does not chain to a CA in ca-bundle.pem";
    }

    private static byte[] ExportSpki(AsymmetricAlgorithm key) => key.ExportSubjectPublicKeyInfo();

    /// <summary>Lower-case hex of the serial's value, without the sign-padding zero byte.</summary>
    private static string SerialHex(X509Certificate2 certificate)
    {
        var hex = certificate.SerialNumber.ToLowerInvariant();
        while (hex.Length > 2 && hex.StartsWith("00", StringComparison.Ordinal)) hex = hex[2..];
        return hex;
    }

    private static string UsualFailure(string verb) => verb switch
    {
        AgentVerbs.Install => "install_failed",
        AgentVerbs.ApplyConfig => "config_failed",
        AgentVerbs.Csr or AgentVerbs.InstallCert or AgentVerbs.InstallP12 => "nss_failed",
        AgentVerbs.Status => "not_running",
        _ => "internal",
    };

    public void Dispose()
    {
        lock (_sync)
        {
            _pendingKey?.Dispose();
            _currentKey?.Dispose();
        }
    }
}
