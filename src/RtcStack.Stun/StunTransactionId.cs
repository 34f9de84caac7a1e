using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RtcStack.Stun;

/// <summary>The 96-bit transaction ID of a STUN message (RFC 8489 §5), as a comparable value.</summary>
public readonly struct StunTransactionId : IEquatable<StunTransactionId>
{
    /// <summary>Length of a transaction ID in bytes.</summary>
    public const int Length = 12;

    private readonly ulong _high;
    private readonly uint _low;

    private StunTransactionId(ulong high, uint low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>Reads 12 bytes.</summary>
    public static StunTransactionId Read(ReadOnlySpan<byte> bytes)
    {
        return new StunTransactionId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]));
    }

    /// <summary>RFC 8489 §6: a new, cryptographically random transaction ID.</summary>
    public static StunTransactionId NewRandom()
    {
        Span<byte> b = stackalloc byte[Length];
        RandomNumberGenerator.Fill(b);
        return Read(b);
    }

    /// <summary>Writes the 12 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _low);
    }

    /// <inheritdoc/>
    public bool Equals(StunTransactionId other) => _high == other._high && _low == other._low;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StunTransactionId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_high, _low);

    /// <summary>Compares by value.</summary>
    public static bool operator ==(StunTransactionId left, StunTransactionId right) => left.Equals(right);

    /// <summary>Compares by value.</summary>
    public static bool operator !=(StunTransactionId left, StunTransactionId right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => $"{_high:x16}{_low:x8}";
}
