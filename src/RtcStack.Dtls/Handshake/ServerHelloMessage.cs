namespace RtcStack.Dtls.Handshake;

/// <summary>RFC 5246 §7.4.1.3 ServerHello with the extensions a DTLS-SRTP server answers.</summary>
internal sealed class ServerHelloMessage
{
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
                        m.HasSupportedVersions = true;
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

        w.EndVector(ext, 2);
    }
}
