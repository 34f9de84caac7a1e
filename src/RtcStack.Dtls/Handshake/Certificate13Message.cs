namespace RtcStack.Dtls.Handshake;

/// <summary>
/// RFC 8446 §4.4.2 Certificate: certificate_request_context, then CertificateEntry list (cert_data,
/// extensions). Only the end-entity certificate (the first entry) matters for WebRTC, where it is
/// checked against the signalled fingerprint (RFC 8122 §5).
/// </summary>
internal static class Certificate13Message
{
    /// <summary>Parses; <paramref name="leaf"/> is empty when the list is empty (no certificate sent).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out byte[] context, out byte[] leaf)
    {
        context = [];
        leaf = [];
        var r = new SpanReader(body);
        if (!r.TryReadVector8(out ReadOnlySpan<byte> ctx) || !r.TryReadVector24(out ReadOnlySpan<byte> list) || r.Remaining != 0)
        {
            return false;
        }

        context = ctx.ToArray();
        var lr = new SpanReader(list);
        bool first = true;
        while (lr.Remaining > 0)
        {
            if (!lr.TryReadVector24(out ReadOnlySpan<byte> cert) || cert.IsEmpty || !lr.TryReadVector16(out _))
            {
                return false;
            }

            if (first)
            {
                leaf = cert.ToArray();
                first = false;
            }
        }

        return true;
    }

    public static byte[] Build(ReadOnlySpan<byte> context, ReadOnlySpan<byte> certificateDer)
    {
        var w = new MessageWriter(certificateDer.Length + 16);
        w.WriteUInt8(context.Length);
        w.WriteBytes(context);
        int list = w.BeginVector(3);
        int one = w.BeginVector(3);
        w.WriteBytes(certificateDer);
        w.EndVector(one, 3);
        w.WriteUInt16(0);
        w.EndVector(list, 3);
        return w.ToArray();
    }
}
