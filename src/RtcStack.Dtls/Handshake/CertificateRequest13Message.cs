namespace RtcStack.Dtls.Handshake;

/// <summary>RFC 8446 §4.3.2 CertificateRequest: certificate_request_context and extensions, of which signature_algorithms is required.</summary>
internal sealed class CertificateRequest13Message
{
    public byte[] Context { get; set; } = [];

    public ushort[] SignatureAlgorithms { get; set; } = [];

    public static bool TryParse(ReadOnlySpan<byte> body, out CertificateRequest13Message? message)
    {
        message = null;
        var r = new SpanReader(body);
        if (!r.TryReadVector8(out ReadOnlySpan<byte> context) || !r.TryReadVector16(out ReadOnlySpan<byte> extensions) || r.Remaining != 0)
        {
            return false;
        }

        ushort[]? schemes = null;
        var er = new SpanReader(extensions);
        var seen = new HashSet<ushort>();
        while (er.Remaining > 0)
        {
            if (!er.TryReadUInt16(out ushort type) || !er.TryReadVector16(out ReadOnlySpan<byte> data) || !seen.Add(type))
            {
                return false;
            }

            if (type == ExtensionType.SignatureAlgorithms)
            {
                var e = new SpanReader(data);
                if (!e.TryReadVector16(out ReadOnlySpan<byte> list) || list.IsEmpty || (list.Length & 1) != 0 || e.Remaining != 0)
                {
                    return false;
                }

                schemes = ClientHelloMessage.ReadUInt16List(list);
            }
        }

        // RFC 8446 §4.3.2: "The signature_algorithms extension MUST be specified".
        if (schemes is null)
        {
            return false;
        }

        message = new CertificateRequest13Message { Context = context.ToArray(), SignatureAlgorithms = schemes };
        return true;
    }

    public void Write(MessageWriter w)
    {
        w.WriteUInt8(Context.Length);
        w.WriteBytes(Context);
        int ext = w.BeginVector(2);
        w.WriteUInt16(ExtensionType.SignatureAlgorithms);
        w.WriteUInt16(2 + (SignatureAlgorithms.Length * 2));
        ClientHelloMessage.WriteUInt16List16(w, SignatureAlgorithms);
        w.EndVector(ext, 2);
    }
}
