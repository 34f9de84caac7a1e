using System.Buffers.Binary;

namespace RtcStack.Srtp;

public sealed partial class SrtpContext
{
    private const int RtcpHeaderLength = 8;

    /// <summary>
    /// Protects the RTCP compound packet in <paramref name="buffer"/>[..<paramref name="length"/>] in
    /// place (RFC 3711 §3.4; RFC 7714 §9): encrypts everything after the first 8 bytes (not for the
    /// NULL profiles, which send E = 0) and appends the E‖SRTCP index word and the tag, so the buffer
    /// needs <see cref="RtcpOverhead"/> spare bytes. The stream's SRTCP index starts at 0.
    /// </summary>
    public SrtpStatus ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        CheckLength(buffer, length);
        SrtpStatus status = ProtectRtcpCore(buffer, length, out protectedLength);
        _metrics.Protect(rtcp: true, status);
        return status;
    }

    /// <summary>Protects <paramref name="packet"/> into <paramref name="destination"/>, which needs <see cref="RtcpOverhead"/> more bytes than the packet.</summary>
    public SrtpStatus ProtectRtcp(ReadOnlySpan<byte> packet, Span<byte> destination, out int written)
    {
        written = 0;
        SrtpStatus status;
        if (destination.Length < packet.Length + RtcpOverhead)
        {
            status = SrtpStatus.BufferTooSmall;
        }
        else
        {
            packet.CopyTo(destination);
            status = ProtectRtcpCore(destination, packet.Length, out written);
        }

        _metrics.Protect(rtcp: true, status);
        return status;
    }

    /// <summary>
    /// Verifies and decrypts the SRTCP packet in <paramref name="buffer"/>[..<paramref name="length"/>]
    /// in place (RFC 3711 §3.4; RFC 7714 §9), accepting both E = 1 and authenticated-only E = 0
    /// packets. On any status but Ok the buffer and all state are unchanged.
    /// </summary>
    public SrtpStatus UnprotectRtcp(Span<byte> buffer, int length, out int plainLength)
    {
        CheckLength(buffer, length);
        int trailer = RtcpOverhead;
        SrtpStatus status = length < RtcpHeaderLength + trailer
            ? Fail(out plainLength)
            : UnprotectRtcpCore(buffer[..(length - trailer)], buffer[(length - trailer)..length], out plainLength);
        _metrics.Unprotect(rtcp: true, status);
        return status;
    }

    /// <summary>Verifies and decrypts <paramref name="packet"/> into <paramref name="destination"/> (which needs the packet's length less <see cref="RtcpOverhead"/>).</summary>
    public SrtpStatus UnprotectRtcp(ReadOnlySpan<byte> packet, Span<byte> destination, out int written)
    {
        int trailer = RtcpOverhead;
        SrtpStatus status;
        if (packet.Length < RtcpHeaderLength + trailer)
        {
            status = Fail(out written);
        }
        else if (destination.Length < packet.Length - trailer)
        {
            written = 0;
            status = SrtpStatus.BufferTooSmall;
        }
        else
        {
            Span<byte> trailerCopy = stackalloc byte[24];
            packet[(packet.Length - trailer)..].CopyTo(trailerCopy);
            packet[..(packet.Length - trailer)].CopyTo(destination);
            status = UnprotectRtcpCore(destination[..(packet.Length - trailer)], trailerCopy[..trailer], out written);
        }

        _metrics.Unprotect(rtcp: true, status);
        return status;
    }

    private SrtpStatus ProtectRtcpCore(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        Span<byte> packet = buffer[..length];
        if (length < RtcpHeaderLength || (packet[0] >> 6) != 2)
        {
            return SrtpStatus.Malformed;
        }

        int trailer = RtcpOverhead;
        if (buffer.Length - length < trailer)
        {
            return SrtpStatus.BufferTooSmall;
        }

        if (SrtcpPacketsProtected >= MaxSrtcpPackets)
        {
            return SrtpStatus.KeyLimitReached;
        }

        uint ssrc = ReadSsrcRtcp(packet);
        SrtpStream stream = GetOrCreateOutbound(ssrc);
        if (stream.NextRtcpIndex > MaxSrtcpIndex)
        {
            return SrtpStatus.KeyLimitReached;
        }

        _cipher.ProtectRtcp(packet, ssrc, (uint)stream.NextRtcpIndex, _encryptRtcp, buffer.Slice(length, trailer));
        stream.NextRtcpIndex++;
        stream.RtcpPackets++;
        SrtcpPacketsProtected++;
        protectedLength = length + trailer;
        return SrtpStatus.Ok;
    }

    private SrtpStatus UnprotectRtcpCore(Span<byte> packet, ReadOnlySpan<byte> trailer, out int plainLength)
    {
        plainLength = 0;
        if ((packet[0] >> 6) != 2)
        {
            return SrtpStatus.Malformed;
        }

        uint word = BinaryPrimitives.ReadUInt32BigEndian(trailer[_cipher.RtcpIndexOffset..]);
        bool encrypted = (word & 0x8000_0000u) != 0;
        uint index = word & MaxSrtcpIndex;
        uint ssrc = ReadSsrcRtcp(packet);
        SrtpStream? stream = FindInbound(ssrc);
        if (stream is null)
        {
            if (_strict)
            {
                return SrtpStatus.UnknownSsrc;
            }
        }
        else
        {
            SrtpStatus replay = stream.RtcpWindow!.Check(index);
            if (replay != SrtpStatus.Ok)
            {
                stream.ReplaysRejected++;
                return replay;
            }
        }

        if (!_cipher.UnprotectRtcp(packet, ssrc, index, encrypted, trailer))
        {
            if (stream is not null)
            {
                stream.AuthenticationFailures++;
            }

            return SrtpStatus.AuthenticationFailed;
        }

        if (stream is null)
        {
            stream = new SrtpStream(ssrc, _windowSize, inbound: true);
            _inbound.Add(ssrc, stream);
            _lastInbound = stream;
        }

        stream.RtcpWindow!.Commit(index);
        stream.RtcpPackets++;
        plainLength = packet.Length;
        return SrtpStatus.Ok;
    }
}
