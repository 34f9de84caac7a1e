using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtcStack.Sctp;

/// <summary>
/// The State Cookie (RFC 9260 §5.1.3): what the INIT ACK sender needs to build the association
/// from a COOKIE ECHO without keeping state, with a creation time and an HMAC-SHA256 over it
/// under a secret key that never leaves the association.
/// </summary>
internal readonly record struct StateCookie(
    uint LocalTag,
    uint PeerTag,
    uint PeerInitialTsn,
    uint PeerReceiverWindow,
    ushort PeerOutboundStreams,
    ushort PeerInboundStreams,
    bool PeerSupportsForwardTsn,
    bool PeerSupportsReconfig,
    bool PeerSupportsIData,
    bool PeerSupportsIForwardTsn,
    bool PeerAcceptsZeroChecksum,
    TimeSpan Created)
{
    public const int BodyLength = 29;
    public const int Length = BodyLength + 32;

    public void Write(Span<byte> destination, ReadOnlySpan<byte> key)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, LocalTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], PeerTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], PeerInitialTsn);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], PeerReceiverWindow);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], PeerOutboundStreams);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], PeerInboundStreams);
        destination[20] = (byte)((PeerSupportsForwardTsn ? 1 : 0) | (PeerSupportsReconfig ? 2 : 0)
            | (PeerSupportsIData ? 4 : 0) | (PeerSupportsIForwardTsn ? 8 : 0) | (PeerAcceptsZeroChecksum ? 16 : 0));
        BinaryPrimitives.WriteInt64BigEndian(destination[21..], Created.Ticks);
        HMACSHA256.HashData(key, destination[..BodyLength], destination[BodyLength..Length]);
    }

    public static bool TryRead(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> key, out StateCookie value)
    {
        value = default;
        if (cookie.Length != Length)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, cookie[..BodyLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, cookie[BodyLength..Length]))
        {
            return false;
        }

        value = new StateCookie(
            BinaryPrimitives.ReadUInt32BigEndian(cookie),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[12..]),
            BinaryPrimitives.ReadUInt16BigEndian(cookie[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(cookie[18..]),
            (cookie[20] & 1) != 0,
            (cookie[20] & 2) != 0,
            (cookie[20] & 4) != 0,
            (cookie[20] & 8) != 0,
            (cookie[20] & 16) != 0,
            TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(cookie[21..])));
        return true;
    }
}
