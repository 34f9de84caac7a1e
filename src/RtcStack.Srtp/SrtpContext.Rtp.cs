using System.Buffers.Binary;
using RtcStack.Rtp;

namespace RtcStack.Srtp;

public sealed partial class SrtpContext
{
    /// <summary>
    /// Protects the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place
    /// (RFC 3711 §3.3; RFC 7714 §8): encrypts the payload and appends the tag, so the buffer must
    /// have <see cref="RtpOverhead"/> spare bytes after the packet.
    /// </summary>
    /// <returns><see cref="SrtpStatus.Ok"/>, <see cref="SrtpStatus.Malformed"/>, <see cref="SrtpStatus.BufferTooSmall"/> or <see cref="SrtpStatus.KeyLimitReached"/>.</returns>
    public SrtpStatus ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        CheckLength(buffer, length);
        SrtpStatus status = ProtectRtpCore(buffer, length, out protectedLength);
        _metrics.Protect(rtcp: false, status);
        return status;
    }

    /// <summary>Protects <paramref name="packet"/> into <paramref name="destination"/>, which needs <see cref="RtpOverhead"/> more bytes than the packet.</summary>
    public SrtpStatus ProtectRtp(ReadOnlySpan<byte> packet, Span<byte> destination, out int written)
    {
        written = 0;
        SrtpStatus status;
        if (destination.Length < packet.Length + RtpOverhead)
        {
            status = SrtpStatus.BufferTooSmall;
        }
        else
        {
            packet.CopyTo(destination);
            status = ProtectRtpCore(destination, packet.Length, out written);
        }

        _metrics.Protect(rtcp: false, status);
        return status;
    }

    /// <summary>
    /// Verifies and decrypts the SRTP packet in <paramref name="buffer"/>[..<paramref name="length"/>]
    /// in place (RFC 3711 §3.3; RFC 7714 §8). On success the plain RTP packet occupies
    /// <paramref name="plainLength"/> bytes; on any other status the buffer and all state are unchanged.
    /// </summary>
    public SrtpStatus UnprotectRtp(Span<byte> buffer, int length, out int plainLength)
    {
        CheckLength(buffer, length);
        Span<byte> packet = buffer[..length];
        int tag = _cipher.RtpTagLength;
        SrtpStatus status = length < tag
            ? Fail(out plainLength)
            : UnprotectRtpCore(packet[..(length - tag)], packet[(length - tag)..], out plainLength);
        _metrics.Unprotect(rtcp: false, status);
        return status;
    }

    /// <summary>Verifies and decrypts <paramref name="packet"/> into <paramref name="destination"/> (which needs the packet's length less the tag).</summary>
    public SrtpStatus UnprotectRtp(ReadOnlySpan<byte> packet, Span<byte> destination, out int written)
    {
        int tag = _cipher.RtpTagLength;
        SrtpStatus status;
        if (packet.Length < tag)
        {
            status = Fail(out written);
        }
        else if (destination.Length < packet.Length - tag)
        {
            written = 0;
            status = SrtpStatus.BufferTooSmall;
        }
        else
        {
            // Keep the tag in a local copy: destination may overlap packet.
            Span<byte> tagCopy = stackalloc byte[16];
            packet[(packet.Length - tag)..].CopyTo(tagCopy);
            packet[..(packet.Length - tag)].CopyTo(destination);
            status = UnprotectRtpCore(destination[..(packet.Length - tag)], tagCopy[..tag], out written);
        }

        _metrics.Unprotect(rtcp: false, status);
        return status;
    }

    private SrtpStatus ProtectRtpCore(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        Span<byte> packet = buffer[..length];
        if (!RtpHeaderLength.TryGet(packet, out int headerLength))
        {
            return SrtpStatus.Malformed;
        }

        int tag = _cipher.RtpTagLength;
        if (buffer.Length - length < tag)
        {
            return SrtpStatus.BufferTooSmall;
        }

        if (SrtpPacketsProtected >= MaxSrtpPackets)
        {
            return SrtpStatus.KeyLimitReached;
        }

        // RFC 9335 §4: which cryptex marking the packet gets (decided before anything is written).
        int csrcBytes = (packet[0] & 0x0F) * 4;
        bool hasExtension = (packet[0] & 0x10) != 0;
        ushort cryptexProfile = 0;
        bool insertExtension = false;
        if (_cryptex)
        {
            if (hasExtension)
            {
                ushort profile = BinaryPrimitives.ReadUInt16BigEndian(packet[(12 + csrcBytes)..]);
                if (profile == 0xBEDE)
                {
                    cryptexProfile = 0xC0DE;
                }
                else if ((profile & 0xFFF0) == 0x1000)
                {
                    cryptexProfile = 0xC2DE;
                }
                else
                {
                    // Cryptex covers only RFC 8285 extensions.
                    return SrtpStatus.Malformed;
                }
            }
            else if (csrcBytes > 0)
            {
                insertExtension = true;
                cryptexProfile = 0xC0DE;
                if (buffer.Length - length < tag + 4)
                {
                    return SrtpStatus.BufferTooSmall;
                }
            }
        }

        uint ssrc = ReadSsrcRtp(packet);
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        SrtpStream stream = GetOrCreateOutbound(ssrc);
        ulong index = stream.EstimateIndex(seq);
        if (index > MaxIndex)
        {
            return SrtpStatus.KeyLimitReached;
        }

        int cryptexCsrcBytes = -1;
        if (cryptexProfile != 0)
        {
            int extensionAt = 12 + csrcBytes;
            if (insertExtension)
            {
                // An empty extension block after the CSRCs carries the marking (RFC 9335 §4).
                buffer[extensionAt..length].CopyTo(buffer[(extensionAt + 4)..]);
                BinaryPrimitives.WriteUInt32BigEndian(buffer[extensionAt..], 0xC0DE_0000u);
                buffer[0] |= 0x10;
                length += 4;
                headerLength += 4;
                packet = buffer[..length];
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet[extensionAt..], cryptexProfile);
            }

            cryptexCsrcBytes = csrcBytes;
        }

        _cipher.ProtectRtp(packet, headerLength, ssrc, index, buffer.Slice(length, tag), cryptexCsrcBytes);
        if (!stream.RtpStarted || index > stream.HighestIndex)
        {
            stream.HighestIndex = index;
            stream.RtpStarted = true;
        }

        stream.RtpPackets++;
        stream.RtpBytes += length;
        SrtpPacketsProtected++;
        protectedLength = length + tag;
        return SrtpStatus.Ok;
    }

    private SrtpStatus UnprotectRtpCore(Span<byte> packet, ReadOnlySpan<byte> tag, out int plainLength)
    {
        plainLength = 0;
        if (!RtpHeaderLength.TryGet(packet, out int headerLength))
        {
            return SrtpStatus.Malformed;
        }

        uint ssrc = ReadSsrcRtp(packet);
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        SrtpStream? stream = FindInbound(ssrc);
        ulong index;
        if (stream is null)
        {
            if (_strict)
            {
                return SrtpStatus.UnknownSsrc;
            }

            // RFC 3711 §3.3.1: the first packet of a stream has ROC 0 and sets s_l.
            index = seq;
        }
        else
        {
            index = stream.EstimateIndex(seq);
            if (index > MaxIndex)
            {
                return SrtpStatus.KeyLimitReached;
            }

            SrtpStatus replay = stream.RtpWindow!.Check(index);
            if (replay != SrtpStatus.Ok)
            {
                stream.ReplaysRejected++;
                return replay;
            }
        }

        int cryptexCsrcBytes = -1;
        ushort restoredProfile = 0;
        if (_cryptex && (packet[0] & 0x10) != 0)
        {
            int csrcBytes = (packet[0] & 0x0F) * 4;
            ushort profile = BinaryPrimitives.ReadUInt16BigEndian(packet[(12 + csrcBytes)..]);
            if (profile is 0xC0DE or 0xC2DE)
            {
                cryptexCsrcBytes = csrcBytes;
                restoredProfile = profile == 0xC0DE ? (ushort)0xBEDE : (ushort)0x1000;
            }
        }

        if (!_cipher.UnprotectRtp(packet, headerLength, ssrc, index, tag, cryptexCsrcBytes))
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

        if (restoredProfile != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[(12 + cryptexCsrcBytes)..], restoredProfile);
        }

        stream.RtpWindow!.Commit(index);
        if (!stream.RtpStarted || index > stream.HighestIndex)
        {
            stream.HighestIndex = index;
            stream.RtpStarted = true;
        }

        stream.RtpPackets++;
        stream.RtpBytes += packet.Length;
        plainLength = packet.Length;
        return SrtpStatus.Ok;
    }

    private static SrtpStatus Fail(out int length)
    {
        length = 0;
        return SrtpStatus.Malformed;
    }

    private void CheckLength(Span<byte> buffer, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)length > (uint)buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "length must be within the buffer");
        }
    }
}
