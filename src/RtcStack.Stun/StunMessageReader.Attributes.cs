using System.Buffers.Binary;
using System.Text;

namespace RtcStack.Stun;

/// <content>Typed attribute accessors.</content>
public readonly ref partial struct StunMessageReader
{
    /// <summary>Reads a 32-bit attribute (PRIORITY, LIFETIME, ...).</summary>
    public bool TryGetUInt32(StunAttributeType type, out uint value)
    {
        if (TryGetAttribute(type, out ReadOnlySpan<byte> v) && v.Length == 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(v);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Reads a 64-bit attribute (ICE-CONTROLLING, ICE-CONTROLLED, RESERVATION-TOKEN).</summary>
    public bool TryGetUInt64(StunAttributeType type, out ulong value)
    {
        if (TryGetAttribute(type, out ReadOnlySpan<byte> v) && v.Length == 8)
        {
            value = BinaryPrimitives.ReadUInt64BigEndian(v);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>RFC 8489 §14.1: reads MAPPED-ADDRESS or ALTERNATE-SERVER (plain address encoding).</summary>
    public bool TryGetAddress(StunAttributeType type, out TransportAddress address)
    {
        address = default;
        return TryGetAttribute(type, out ReadOnlySpan<byte> v) && TryDecodeAddress(v, default, out address);
    }

    /// <summary>RFC 8489 §14.2: reads an XOR-encoded address (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS).</summary>
    public bool TryGetXorAddress(StunAttributeType type, out TransportAddress address)
    {
        address = default;
        return TryGetAttribute(type, out ReadOnlySpan<byte> v) && TryDecodeAddress(v, TransactionIdBytes, out address);
    }

    /// <summary>RFC 8489 §14.8: reads ERROR-CODE as a number (300-699) and its UTF-8 reason phrase.</summary>
    public bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason)
    {
        code = 0;
        reason = default;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out ReadOnlySpan<byte> v) || v.Length < 4)
        {
            return false;
        }

        int cls = v[2] & 0x07;
        int number = v[3];
        if (cls < 3 || cls > 6 || number > 99)
        {
            return false;
        }

        code = (cls * 100) + number;
        reason = v[4..];
        return true;
    }

    /// <summary>Reads a UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE) as a string (allocates).</summary>
    public bool TryGetString(StunAttributeType type, out string value)
    {
        if (TryGetAttribute(type, out ReadOnlySpan<byte> v))
        {
            value = Encoding.UTF8.GetString(v);
            return true;
        }

        value = "";
        return false;
    }

    /// <summary>Decodes an address attribute value; XORed when <paramref name="transactionId"/> is not empty.</summary>
    internal static bool TryDecodeAddress(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId, out TransportAddress address)
    {
        address = default;
        if (value.Length < 4)
        {
            return false;
        }

        bool xor = !transactionId.IsEmpty;
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        if (xor)
        {
            port ^= (ushort)(MagicCookie >> 16);
        }

        byte family = value[1];
        if (family == 0x01 && value.Length == 8)
        {
            uint ip = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
            if (xor)
            {
                ip ^= MagicCookie;
            }

            address = TransportAddress.FromIPv4(ip, port);
            return true;
        }

        if (family == 0x02 && value.Length == 20)
        {
            Span<byte> ip = stackalloc byte[16];
            value.Slice(4, 16).CopyTo(ip);
            if (xor)
            {
                Span<byte> mask = stackalloc byte[16];
                BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
                transactionId.CopyTo(mask[4..]);
                for (int i = 0; i < 16; i++)
                {
                    ip[i] ^= mask[i];
                }
            }

            address = TransportAddress.FromIPv6(ip, port);
            return true;
        }

        return false;
    }
}
