namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Appends RTCP packets one after another into a caller's buffer to form a compound packet
/// (RFC 3550 §6.1) or a reduced-size one (RFC 5506). Each typed writer's <c>TryWrite</c> can
/// also be used directly on <see cref="Free"/> followed by <see cref="Advance"/>.
/// </summary>
/// <remarks>
/// RFC 3550 §6.1: a full compound packet starts with an SR or RR and contains an SDES CNAME;
/// this writer does not enforce the order, so reduced-size feedback can be built with it too.
/// </remarks>
public ref struct RtcpCompoundWriter
{
    private readonly Span<byte> _destination;
    private int _length;

    /// <summary>Initializes a writer over <paramref name="destination"/>.</summary>
    public RtcpCompoundWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    /// <summary>Gets the space left.</summary>
    public readonly Span<byte> Free => _destination[_length..];

    /// <summary>Gets the number of bytes written.</summary>
    public readonly int Length => _length;

    /// <summary>Gets the bytes written.</summary>
    public readonly ReadOnlySpan<byte> Written => _destination[.._length];

    /// <summary>Records that a packet of <paramref name="bytesWritten"/> bytes was written into <see cref="Free"/>.</summary>
    public void Advance(int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesWritten);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytesWritten, _destination.Length - _length);
        _length += bytesWritten;
    }

    /// <summary>Appends an SR (RFC 3550 §6.4.1).</summary>
    public bool TryAddSenderReport(uint ssrc, in RtcpSenderInfo info, scoped ReadOnlySpan<RtcpReportBlock> blocks) =>
        Append(RtcpSenderReport.TryWrite(Free, ssrc, info, blocks, out int n), n);

    /// <summary>Appends an RR (RFC 3550 §6.4.2).</summary>
    public bool TryAddReceiverReport(uint ssrc, scoped ReadOnlySpan<RtcpReportBlock> blocks) =>
        Append(RtcpReceiverReport.TryWrite(Free, ssrc, blocks, out int n), n);

    /// <summary>Appends an SDES packet with a single CNAME (RFC 3550 §6.5.1).</summary>
    public bool TryAddCname(uint ssrc, scoped ReadOnlySpan<byte> cname) =>
        Append(RtcpSourceDescriptionWriter.TryWriteCname(Free, ssrc, cname, out int n), n);

    /// <summary>Appends a BYE (RFC 3550 §6.6).</summary>
    public bool TryAddGoodbye(scoped ReadOnlySpan<uint> ssrcs, scoped ReadOnlySpan<byte> reason = default) =>
        Append(RtcpGoodbye.TryWrite(Free, ssrcs, reason, out int n), n);

    /// <summary>Appends a generic NACK for the lost sequence numbers (RFC 4585 §6.2.1).</summary>
    public bool TryAddGenericNack(uint senderSsrc, uint mediaSsrc, scoped ReadOnlySpan<ushort> lostSequenceNumbers) =>
        Append(RtcpGenericNack.TryWrite(Free, senderSsrc, mediaSsrc, lostSequenceNumbers, out int n), n);

    /// <summary>Appends a PLI (RFC 4585 §6.3.1).</summary>
    public bool TryAddPictureLossIndication(uint senderSsrc, uint mediaSsrc) =>
        Append(RtcpPictureLossIndication.TryWrite(Free, senderSsrc, mediaSsrc, out int n), n);

    /// <summary>Appends a REMB (draft-alvestrand-rmcat-remb-03).</summary>
    public bool TryAddRemb(uint senderSsrc, ulong bitrate, scoped ReadOnlySpan<uint> ssrcs) =>
        Append(RtcpRemb.TryWrite(Free, senderSsrc, bitrate, ssrcs, out int n), n);

    private bool Append(bool ok, int bytesWritten)
    {
        if (ok)
        {
            _length += bytesWritten;
        }

        return ok;
    }
}
