namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 6347 §4.2.1 / RFC 5246 §7.4.1.2 ClientHello (with the DTLS cookie), and the extensions
/// this implementation uses. Parsing accepts DTLS 1.3 ClientHellos too (RFC 9147 §5.3) so the
/// server can read supported_versions and answer 1.2; extensions it does not know are skipped.
/// </summary>
internal sealed class ClientHelloMessage
{
    public ushort LegacyVersion { get; set; }

    public byte[] Random { get; set; } = new byte[32];

    public byte[] SessionId { get; set; } = [];

    public byte[] Cookie { get; set; } = [];

    public ushort[] CipherSuites { get; set; } = [];

    public ushort[]? SupportedVersions { get; set; }

    public ushort[]? SupportedGroups { get; set; }

    public ushort[]? SignatureAlgorithms { get; set; }

    public ushort[]? SrtpProfiles { get; set; }

    public byte[] SrtpMki { get; set; } = [];

    public bool ExtendedMasterSecret { get; set; }

    /// <summary>Gets or sets the renegotiation_info payload; null when the extension is absent.</summary>
    public byte[]? RenegotiationInfo { get; set; }

    public bool HasEcPointFormats { get; set; }

    public bool EcPointUncompressed { get; set; }

    /// <summary>Gets or sets the key_share client_shares (RFC 8446 §4.2.8), in the client's order; null when absent.</summary>
    public List<(ushort Group, byte[] KeyExchange)>? KeyShares { get; set; }

    /// <summary>Gets or sets the cookie extension (RFC 8446 §4.2.2) echoed after a HelloRetryRequest; null when absent.</summary>
    public byte[]? Cookie13 { get; set; }

    /// <summary>Gets or sets a value indicating whether a pre_shared_key extension was present (never accepted here).</summary>
    public bool HasPreSharedKey { get; set; }

    /// <summary>Gets a value indicating whether supported_versions offers DTLS 1.3 (0xfefc, RFC 9147 §5.3).</summary>
    public bool OffersDtls13 => SupportedVersions is ushort[] v && Array.IndexOf(v, Records.ProtocolVersion.Dtls13) >= 0;

    /// <summary>Parses a ClientHello body; false (never an exception) on any malformed field.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out ClientHelloMessage? message)
    {
        message = null;
        var r = new SpanReader(body);
        if (!r.TryReadUInt16(out ushort version) || !r.TryReadBytes(32, out ReadOnlySpan<byte> random) ||
            !r.TryReadVector8(out ReadOnlySpan<byte> sessionId) || sessionId.Length > 32 ||
            !r.TryReadVector8(out ReadOnlySpan<byte> cookie) ||
            !r.TryReadVector16(out ReadOnlySpan<byte> suites) || suites.Length < 2 || (suites.Length & 1) != 0 ||
            !r.TryReadVector8(out ReadOnlySpan<byte> compression) || compression.Length < 1)
        {
            return false;
        }

        var m = new ClientHelloMessage
        {
            LegacyVersion = version,
            Random = random.ToArray(),
            SessionId = sessionId.ToArray(),
            Cookie = cookie.ToArray(),
            CipherSuites = ReadUInt16List(suites),
        };

        // RFC 5246 §7.4.1.2: the "null" compression method must be offered.
        if (!compression.Contains((byte)0))
        {
            return false;
        }

        if (r.Remaining > 0)
        {
            if (!r.TryReadVector16(out ReadOnlySpan<byte> extensions) || r.Remaining != 0)
            {
                return false;
            }

            if (!m.TryParseExtensions(extensions))
            {
                return false;
            }
        }

        message = m;
        return true;
    }

    public void Write(MessageWriter w)
    {
        w.WriteUInt16(LegacyVersion);
        w.WriteBytes(Random);
        w.WriteUInt8(SessionId.Length);
        w.WriteBytes(SessionId);
        w.WriteUInt8(Cookie.Length);
        w.WriteBytes(Cookie);
        w.WriteUInt16(CipherSuites.Length * 2);
        foreach (ushort s in CipherSuites)
        {
            w.WriteUInt16(s);
        }

        w.WriteUInt8(1);
        w.WriteUInt8(0);
        int ext = w.BeginVector(2);
        if (RenegotiationInfo is not null)
        {
            w.WriteUInt16(ExtensionType.RenegotiationInfo);
            w.WriteUInt16(1 + RenegotiationInfo.Length);
            w.WriteUInt8(RenegotiationInfo.Length);
            w.WriteBytes(RenegotiationInfo);
        }

        if (ExtendedMasterSecret)
        {
            w.WriteUInt16(ExtensionType.ExtendedMasterSecret);
            w.WriteUInt16(0);
        }

        if (SupportedGroups is not null)
        {
            w.WriteUInt16(ExtensionType.SupportedGroups);
            w.WriteUInt16(2 + (SupportedGroups.Length * 2));
            WriteUInt16List16(w, SupportedGroups);
        }

        if (HasEcPointFormats)
        {
            w.WriteUInt16(ExtensionType.EcPointFormats);
            w.WriteUInt16(2);
            w.WriteUInt8(1);
            w.WriteUInt8(0);
        }

        if (SignatureAlgorithms is not null)
        {
            w.WriteUInt16(ExtensionType.SignatureAlgorithms);
            w.WriteUInt16(2 + (SignatureAlgorithms.Length * 2));
            WriteUInt16List16(w, SignatureAlgorithms);
        }

        if (SrtpProfiles is not null)
        {
            w.WriteUInt16(ExtensionType.UseSrtp);
            w.WriteUInt16(2 + (SrtpProfiles.Length * 2) + 1 + SrtpMki.Length);
            WriteUInt16List16(w, SrtpProfiles);
            w.WriteUInt8(SrtpMki.Length);
            w.WriteBytes(SrtpMki);
        }

        if (SupportedVersions is not null)
        {
            w.WriteUInt16(ExtensionType.SupportedVersions);
            w.WriteUInt16(1 + (SupportedVersions.Length * 2));
            w.WriteUInt8(SupportedVersions.Length * 2);
            foreach (ushort v in SupportedVersions)
            {
                w.WriteUInt16(v);
            }
        }

        if (KeyShares is not null)
        {
            w.WriteUInt16(ExtensionType.KeyShare);
            int ks = w.BeginVector(2);
            int list = w.BeginVector(2);
            foreach ((ushort group, byte[] share) in KeyShares)
            {
                w.WriteUInt16(group);
                w.WriteUInt16(share.Length);
                w.WriteBytes(share);
            }

            w.EndVector(list, 2);
            w.EndVector(ks, 2);
        }

        if (Cookie13 is not null)
        {
            w.WriteUInt16(ExtensionType.Cookie);
            w.WriteUInt16(2 + Cookie13.Length);
            w.WriteUInt16(Cookie13.Length);
            w.WriteBytes(Cookie13);
        }

        w.EndVector(ext, 2);
    }

    internal static ushort[] ReadUInt16List(ReadOnlySpan<byte> data)
    {
        var list = new ushort[data.Length / 2];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = (ushort)((data[2 * i] << 8) | data[(2 * i) + 1]);
        }

        return list;
    }

    internal static void WriteUInt16List16(MessageWriter w, ushort[] values)
    {
        w.WriteUInt16(values.Length * 2);
        foreach (ushort v in values)
        {
            w.WriteUInt16(v);
        }
    }

    private bool TryParseExtensions(ReadOnlySpan<byte> extensions)
    {
        var r = new SpanReader(extensions);
        Span<bool> seen = stackalloc bool[12];
        while (r.Remaining > 0)
        {
            if (!r.TryReadUInt16(out ushort type) || !r.TryReadVector16(out ReadOnlySpan<byte> data))
            {
                return false;
            }

            // RFC 5246 §7.4.1.4: no extension type may appear twice.
            int known = type switch
            {
                ExtensionType.SupportedGroups => 0,
                ExtensionType.EcPointFormats => 1,
                ExtensionType.SignatureAlgorithms => 2,
                ExtensionType.UseSrtp => 3,
                ExtensionType.ExtendedMasterSecret => 4,
                ExtensionType.SupportedVersions => 5,
                ExtensionType.RenegotiationInfo => 6,
                ExtensionType.KeyShare => 7,
                ExtensionType.Cookie => 8,
                ExtensionType.PreSharedKey => 9,
                _ => -1,
            };
            if (known >= 0)
            {
                if (seen[known])
                {
                    return false;
                }

                seen[known] = true;
            }

            var e = new SpanReader(data);
            switch (type)
            {
                case ExtensionType.SupportedGroups:
                    if (!e.TryReadVector16(out ReadOnlySpan<byte> groups) || (groups.Length & 1) != 0 || e.Remaining != 0)
                    {
                        return false;
                    }

                    SupportedGroups = ReadUInt16List(groups);
                    break;
                case ExtensionType.EcPointFormats:
                    if (!e.TryReadVector8(out ReadOnlySpan<byte> formats) || e.Remaining != 0)
                    {
                        return false;
                    }

                    HasEcPointFormats = true;
                    EcPointUncompressed = formats.Contains((byte)0);
                    break;
                case ExtensionType.SignatureAlgorithms:
                    if (!e.TryReadVector16(out ReadOnlySpan<byte> algs) || (algs.Length & 1) != 0 || e.Remaining != 0)
                    {
                        return false;
                    }

                    SignatureAlgorithms = ReadUInt16List(algs);
                    break;
                case ExtensionType.UseSrtp:
                    if (!e.TryReadVector16(out ReadOnlySpan<byte> profiles) || (profiles.Length & 1) != 0 ||
                        !e.TryReadVector8(out ReadOnlySpan<byte> mki) || e.Remaining != 0)
                    {
                        return false;
                    }

                    SrtpProfiles = ReadUInt16List(profiles);
                    SrtpMki = mki.ToArray();
                    break;
                case ExtensionType.ExtendedMasterSecret:
                    if (!data.IsEmpty)
                    {
                        return false;
                    }

                    ExtendedMasterSecret = true;
                    break;
                case ExtensionType.SupportedVersions:
                    if (!e.TryReadVector8(out ReadOnlySpan<byte> versions) || (versions.Length & 1) != 0 || e.Remaining != 0)
                    {
                        return false;
                    }

                    SupportedVersions = ReadUInt16List(versions);
                    break;
                case ExtensionType.RenegotiationInfo:
                    if (!e.TryReadVector8(out ReadOnlySpan<byte> reneg) || e.Remaining != 0)
                    {
                        return false;
                    }

                    RenegotiationInfo = reneg.ToArray();
                    break;
                case ExtensionType.KeyShare:
                    if (!e.TryReadVector16(out ReadOnlySpan<byte> shares) || e.Remaining != 0 || !TryParseKeyShares(shares))
                    {
                        return false;
                    }

                    break;
                case ExtensionType.Cookie:
                    if (!e.TryReadVector16(out ReadOnlySpan<byte> cookie13) || cookie13.IsEmpty || e.Remaining != 0)
                    {
                        return false;
                    }

                    Cookie13 = cookie13.ToArray();
                    break;
                case ExtensionType.PreSharedKey:
                    HasPreSharedKey = true;
                    break;
                default:
                    // RFC 5246 §7.4.1.4: unknown extensions are ignored by the server.
                    break;
            }
        }

        return true;
    }

    /// <summary>RFC 8446 §4.2.8: KeyShareEntry client_shares&lt;0..2^16-1&gt;; each group at most once, each share non-empty.</summary>
    private bool TryParseKeyShares(ReadOnlySpan<byte> shares)
    {
        var r = new SpanReader(shares);
        var list = new List<(ushort, byte[])>();
        while (r.Remaining > 0)
        {
            if (!r.TryReadUInt16(out ushort group) || !r.TryReadVector16(out ReadOnlySpan<byte> share) || share.IsEmpty || list.Count >= 16)
            {
                return false;
            }

            foreach ((ushort g, byte[] _) in list)
            {
                if (g == group)
                {
                    return false;
                }
            }

            list.Add((group, share.ToArray()));
        }

        KeyShares = list;
        return true;
    }
}
