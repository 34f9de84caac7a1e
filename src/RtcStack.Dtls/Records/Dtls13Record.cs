namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 9147 §4: one DTLSCiphertext record with the unified header — first byte 0b001CSLEE (fixed
/// bits 001, C = connection ID present, S = 16-bit sequence number, L = length present, EE = low
/// two bits of the epoch), then the (encrypted) low 8 or 16 bits of the sequence number, then the
/// optional 16-bit length, then the encrypted record. A view over the datagram; nothing here
/// throws on untrusted input.
/// </summary>
internal readonly ref struct Dtls13Record
{
    /// <summary>The header we write: S and L set (1 + 2 + 2 bytes).</summary>
    public const int WrittenHeaderLength = 5;

    /// <summary>RFC 9147 §4.2.3: the record-number mask samples 16 bytes of ciphertext.</summary>
    public const int MinCiphertextLength = 16;

    public Dtls13Record(byte first, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext)
    {
        First = first;
        Header = header;
        Ciphertext = ciphertext;
    }

    public byte First { get; }

    /// <summary>Gets the low two bits of the epoch.</summary>
    public int EpochBits => First & 0x03;

    /// <summary>Gets a value indicating whether the sequence number field is 16 bits (else 8).</summary>
    public bool LongSequenceNumber => (First & 0x08) != 0;

    /// <summary>Gets the header bytes as received (the sequence number still encrypted).</summary>
    public ReadOnlySpan<byte> Header { get; }

    public ReadOnlySpan<byte> Ciphertext { get; }

    /// <summary>RFC 9147 §4.1: a first byte from 32 to 63 (bits 001) marks a DTLSCiphertext.</summary>
    public static bool IsUnifiedHeader(byte first) => (first & 0xE0) == 0x20;

    /// <summary>
    /// Reads the record at the start of <paramref name="datagram"/>. False when the header is
    /// short, the length runs past the datagram or exceeds 2^14 + 256, the ciphertext is shorter
    /// than the 16-byte sample, or a connection ID is present (none is ever negotiated here, so its
    /// length is unknown and the rest of the datagram cannot be framed; RFC 9147 §4.5.2 drop).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out Dtls13Record record, out int consumed)
    {
        record = default;
        consumed = 0;
        if (datagram.IsEmpty || !IsUnifiedHeader(datagram[0]) || (datagram[0] & 0x10) != 0)
        {
            return false;
        }

        byte first = datagram[0];
        int headerLength = 1 + ((first & 0x08) != 0 ? 2 : 1);
        bool hasLength = (first & 0x04) != 0;
        if (hasLength)
        {
            headerLength += 2;
        }

        if (datagram.Length < headerLength)
        {
            return false;
        }

        int length;
        if (hasLength)
        {
            length = (datagram[headerLength - 2] << 8) | datagram[headerLength - 1];
            if (headerLength + length > datagram.Length)
            {
                return false;
            }
        }
        else
        {
            // RFC 9147 §4: without a length the record runs to the end of the datagram.
            length = datagram.Length - headerLength;
        }

        // RFC 8446 §5.2: TLSCiphertext.length is at most 2^14 + 256.
        if (length > (1 << 14) + 256 || length < MinCiphertextLength)
        {
            return false;
        }

        consumed = headerLength + length;
        record = new Dtls13Record(first, datagram[..headerLength], datagram.Slice(headerLength, length));
        return true;
    }

    /// <summary>
    /// RFC 9147 §4.2.2: the full sequence number closest to <paramref name="expected"/> (one past
    /// the highest deprotected in the epoch) whose low <paramref name="bits"/> bits equal
    /// <paramref name="low"/>.
    /// </summary>
    public static ulong ReconstructSequenceNumber(ulong expected, int low, int bits)
    {
        ulong window = 1UL << bits;
        ulong mask = window - 1;
        ulong candidate = (expected & ~mask) | ((ulong)low & mask);
        ulong best = candidate;
        ulong bestDistance = Distance(candidate, expected);
        if (candidate >= window && Distance(candidate - window, expected) < bestDistance)
        {
            best = candidate - window;
            bestDistance = Distance(best, expected);
        }

        if (candidate + window < (1UL << 48) && Distance(candidate + window, expected) < bestDistance)
        {
            best = candidate + window;
        }

        return best;

        static ulong Distance(ulong a, ulong b) => a > b ? a - b : b - a;
    }
}
