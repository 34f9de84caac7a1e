using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>
/// One type-length-value field (RFC 9260 §3.2.1): the format of INIT parameters, error causes
/// (§3.3.10), heartbeat information and RE-CONFIG parameters (RFC 6525 §4).
/// </summary>
public readonly ref struct SctpParameter
{
    /// <summary>Length of the parameter header.</summary>
    public const int HeaderLength = 4;

    internal SctpParameter(ushort type, ReadOnlySpan<byte> value, ReadOnlySpan<byte> raw)
    {
        Type = type;
        Value = value;
        Raw = raw;
    }

    /// <summary>Gets the parameter type (or error cause code).</summary>
    public ushort Type { get; }

    /// <summary>Gets the value after the 4-byte header.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Gets the whole parameter, header included, padding excluded.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>Writes one parameter with its padding; returns the bytes written.</summary>
    /// <param name="destination">Where to write; must hold the padded length.</param>
    /// <param name="type">The parameter type.</param>
    /// <param name="value">The value.</param>
    /// <returns>The padded length written.</returns>
    public static int Write(Span<byte> destination, ushort type, ReadOnlySpan<byte> value)
    {
        int length = HeaderLength + value.Length;
        int padded = (length + 3) & ~3;
        BinaryPrimitives.WriteUInt16BigEndian(destination, type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
        value.CopyTo(destination[HeaderLength..]);
        destination[length..padded].Clear();
        return padded;
    }
}

/// <summary>Enumerates TLV parameters; stops (and sets <see cref="Malformed"/>) at a bad length.</summary>
public ref struct SctpParameterEnumerator
{
    private ReadOnlySpan<byte> _rest;
    private SctpParameter _current;

    /// <summary>Creates an enumerator over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">Concatenated parameters.</param>
    public SctpParameterEnumerator(ReadOnlySpan<byte> parameters)
    {
        _rest = parameters;
        _current = default;
        Malformed = false;
    }

    /// <summary>Gets whether enumeration stopped at a malformed parameter.</summary>
    public bool Malformed { get; private set; }

    /// <summary>Gets the current parameter.</summary>
    public readonly SctpParameter Current => _current;

    /// <summary>Returns this enumerator (for foreach).</summary>
    public readonly SctpParameterEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next parameter.</summary>
    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }

        if (_rest.Length < SctpParameter.HeaderLength)
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(_rest);
        int length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
        if (length < SctpParameter.HeaderLength || length > _rest.Length)
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        _current = new SctpParameter(type, _rest[SctpParameter.HeaderLength..length], _rest[..length]);
        int padded = (length + 3) & ~3;
        _rest = padded >= _rest.Length ? default : _rest[padded..];
        return true;
    }

    /// <summary>Finds the first parameter of <paramref name="type"/>.</summary>
    /// <param name="parameters">Concatenated parameters.</param>
    /// <param name="type">The type wanted.</param>
    /// <param name="value">Its value when found.</param>
    /// <returns>Whether it was found.</returns>
    public static bool TryFind(ReadOnlySpan<byte> parameters, ushort type, out ReadOnlySpan<byte> value)
    {
        foreach (SctpParameter p in new SctpParameterEnumerator(parameters))
        {
            if (p.Type == type)
            {
                value = p.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
