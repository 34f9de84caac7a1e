namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 5246 §7.4.1.3 ServerHello with the extensions a DTLS-SRTP server answers; also the TLS 1.3
/// ServerHello and HelloRetryRequest (RFC 8446 §4.1.3-§4.1.4, RFC 9147 §5.4): supported_versions,
/// key_share and cookie.
/// </summary>
internal sealed class ServerHelloMessage
{
    /// <summary>RFC 8446 §4.1.3: the HelloRetryRequest random, SHA-256("HelloRetryRequest").</summary>
    public static readonly byte[] HelloRetryRequestRandom = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    /// <summary>RFC 8446 §4.1.3: the last 8 bytes of a TLS 1.3-capable server's random when it negotiates TLS 1.2.</summary>
    public static readonly byte[] DowngradeSentinel12 = "DOWNGRD\u0001"u8.ToArray();

    /// <summary>Gets or sets the supported_versions selected_version (RFC 8446 §4.2.1); null when absent.</summary>
    public ushort? SelectedVersion { get; set; }

    /// <summary>Gets or sets the key_share group: the server's share group, or a HelloRetryRequest's selected_group.</summary>
    public ushort? KeyShareGroup { get; set; }

    /// <summary>Gets or sets the server's key_exchange (ServerHello only).</summary>
    public byte[]? KeyShare { get; set; }

    /// <summary>Gets or sets the cookie extension (HelloRetryRequest).</summary>
    public byte[]? Cookie13 { get; set; }

    /// <summary>Gets a value indicating whether this is a HelloRetryRequest (RFC 8446 §4.1.3 special random).</summary>
    public bool IsHelloRetryRequest => Random.AsSpan().SequenceEqual(HelloRetryRequestRandom);

    public ushort Version { get; set; }

    public byte[] Random { get; set; } = new byte[32];

    public byte[] SessionId { get; set; } = [];

    public ushort CipherSuite { get; set; }

    public byte Compression { get; set; }

    public bool ExtendedMasterSecret { get; set; }

    public byte[]? RenegotiationInfo { get; set; }

    public ushort? SrtpProfile { get; set; }

    public byte[] SrtpMki { get; set; } = [];

    public bool HasEcPointFormats { get; set; }

    public bool HasSupportedVersions { get; set; }

    public static bool TryParse(ReadOnlySpan<byte> body, out ServerHelloMessage? message)
    {
        message = null;
        var r = new SpanReader(body);
        if (!r.TryReadUInt16(out ushort version) || !r.TryReadBytes(32, out ReadOnlySpan<byte> random) ||
            !r.TryReadVector8(out ReadOnlySpan<byte> sessionId) || sessionId.Length > 32 ||
            !r.TryReadUInt16(out ushort suite) || !r.TryReadUInt8(out byte compression))
        {
            return false;
        }

        var m = new ServerHelloMessage
        {
            Version = version,
            Random = random.ToArray(),
            SessionId = sessionId.ToArray(),
            CipherSuite = suite,
            Compression = compression,
        };
        if (r.Remaining > 0)
        {
            if (!r.TryReadVector16(out ReadOnlySpan<byte> extensions) || r.Remaining != 0)
            {
                return false;
            }

            var er = new SpanReader(extensions);
            var seen = new HashSet<ushort>();
            while (er.Remaining > 0)
            {
                if (!er.TryReadUInt16(out ushort type) || !er.TryReadVector16(out ReadOnlySpan<byte> data) || !seen.Add(type))
                {
                    return false;
                }

                var e = new SpanReader(data);
                switch (type)
                {
                    case ExtensionType.ExtendedMasterSecret:
                        if (!data.IsEmpty)
                        {
                            return false;
                        }

                        m.ExtendedMasterSecret = true;
                        break;
                    case ExtensionType.RenegotiationInfo:
                        if (!e.TryReadVector8(out ReadOnlySpan<byte> reneg) || e.Remaining != 0)
                        {
                            return false;
                        }

                        m.RenegotiationInfo = reneg.ToArray();
                        break;
                    case ExtensionType.UseSrtp:
                        // RFC 5764 §4.1.1: the server's list holds exactly one profile.
                        if (!e.TryReadVector16(out ReadOnlySpan<byte> profiles) || profiles.Length != 2 ||
                            !e.TryReadVector8(out ReadOnlySpan<byte> mki) || e.Remaining != 0)
                        {
                            return false;
                        }

                        m.SrtpProfile = (ushort)((profiles[0] << 8) | profiles[1]);
                        m.SrtpMki = mki.ToArray();
                        break;
                    case ExtensionType.EcPointFormats:
                        m.HasEcPointFormats = true;
                        break;
                    case ExtensionType.SupportedVersions:
                        if (!e.TryReadUInt16(out ushort selected) || e.Remaining != 0)
                        {
                            return false;
                        }

                        m.HasSupportedVersions = true;
                        m.SelectedVersion = selected;
                        break;
                    case ExtensionType.KeyShare:
                        if (!e.TryReadUInt16(out ushort group))
                        {
                            return false;
                        }

                        m.KeyShareGroup = group;
                        if (m.IsHelloRetryRequest)
                        {
                            if (e.Remaining != 0)
                            {
                                return false;
                            }
                        }
                        else
                        {
                            if (!e.TryReadVector16(out ReadOnlySpan<byte> share) || share.IsEmpty || e.Remaining != 0)
                            {
                                return false;
                            }

                            m.KeyShare = share.ToArray();
                        }

                        break;
                    case ExtensionType.Cookie:
                        if (!e.TryReadVector16(out ReadOnlySpan<byte> cookie) || cookie.IsEmpty || e.Remaining != 0)
                        {
                            return false;
                        }

                        m.Cookie13 = cookie.ToArray();
                        break;
                    default:
                        break;
                }
            }
        }

        message = m;
        return true;
    }

    public void Write(MessageWriter w)
    {
        w.WriteUInt16(Version);
        w.WriteBytes(Random);
        w.WriteUInt8(SessionId.Length);
        w.WriteBytes(SessionId);
        w.WriteUInt16(CipherSuite);
        w.WriteUInt8(Compression);
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

        if (HasEcPointFormats)
        {
            w.WriteUInt16(ExtensionType.EcPointFormats);
            w.WriteUInt16(2);
            w.WriteUInt8(1);
            w.WriteUInt8(0);
        }

        if (SrtpProfile is ushort p)
        {
            w.WriteUInt16(ExtensionType.UseSrtp);
            w.WriteUInt16(2 + 2 + 1 + SrtpMki.Length);
            w.WriteUInt16(2);
            w.WriteUInt16(p);
            w.WriteUInt8(SrtpMki.Length);
            w.WriteBytes(SrtpMki);
        }

        if (SelectedVersion is ushort version)
        {
            w.WriteUInt16(ExtensionType.SupportedVersions);
            w.WriteUInt16(2);
            w.WriteUInt16(version);
        }

        if (KeyShareGroup is ushort group)
        {
            w.WriteUInt16(ExtensionType.KeyShare);
            if (KeyShare is null)
            {
                w.WriteUInt16(2);
                w.WriteUInt16(group);
            }
            else
            {
                w.WriteUInt16(4 + KeyShare.Length);
                w.WriteUInt16(group);
                w.WriteUInt16(KeyShare.Length);
                w.WriteBytes(KeyShare);
            }
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
}
