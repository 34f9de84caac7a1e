namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 8446 §4.3.1 EncryptedExtensions. In DTLS-SRTP with 1.3 the server's use_srtp answer
/// (RFC 5764 §4.1.1: exactly one profile and the MKI) travels here instead of in the ServerHello.
/// </summary>
internal sealed class EncryptedExtensionsMessage
{
    public ushort? SrtpProfile { get; set; }

    public byte[] SrtpMki { get; set; } = [];

    /// <summary>Parses; false on any malformed or duplicated extension, or one a server may not put here (RFC 8446 §4.2 table).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out EncryptedExtensionsMessage? message)
    {
        message = null;
        var r = new SpanReader(body);
        if (!r.TryReadVector16(out ReadOnlySpan<byte> extensions) || r.Remaining != 0)
        {
            return false;
        }

        var m = new EncryptedExtensionsMessage();
        var er = new SpanReader(extensions);
        var seen = new HashSet<ushort>();
        while (er.Remaining > 0)
        {
            if (!er.TryReadUInt16(out ushort type) || !er.TryReadVector16(out ReadOnlySpan<byte> data) || !seen.Add(type))
            {
                return false;
            }

            switch (type)
            {
                case ExtensionType.UseSrtp:
                    var e = new SpanReader(data);
                    if (!e.TryReadVector16(out ReadOnlySpan<byte> profiles) || profiles.Length != 2 ||
                        !e.TryReadVector8(out ReadOnlySpan<byte> mki) || e.Remaining != 0)
                    {
                        return false;
                    }

                    m.SrtpProfile = (ushort)((profiles[0] << 8) | profiles[1]);
                    m.SrtpMki = mki.ToArray();
                    break;
                case ExtensionType.KeyShare or ExtensionType.SupportedVersions or ExtensionType.Cookie or ExtensionType.PreSharedKey or ExtensionType.SignatureAlgorithms:
                    // RFC 8446 §4.2: these never appear in EncryptedExtensions.
                    return false;
                default:
                    break;
            }
        }

        message = m;
        return true;
    }

    public void Write(MessageWriter w)
    {
        int ext = w.BeginVector(2);
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
