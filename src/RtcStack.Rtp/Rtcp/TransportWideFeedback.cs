using System.Buffers;
using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1): RTPFB FMT 15. Reports, for a range of transport-wide sequence numbers, which packets
/// arrived and the arrival time deltas between them.
/// </summary>
/// <remarks>
/// <para>FCI: base sequence number (16), packet status count (16), reference time (24, signed,
/// 64 ms units), feedback packet count (8), packet chunks (16 bits each), receive deltas
/// (1 byte unsigned or 2 bytes signed, 250 µs units), zero padding to 32 bits.</para>
/// <para>Chunks: run length (T=0: 2-bit symbol, 13-bit run) or status vector (T=1; S=0: 14
/// one-bit symbols, S=1: 7 two-bit symbols). <see cref="TryParse"/> checks that the chunks cover
/// the status count, that no reserved symbol (11) is used and that the deltas fill the rest of
/// the packet up to at most 3 bytes of padding, so enumeration afterwards cannot fail.</para>
/// </remarks>
public readonly ref struct TransportWideFeedback
{
    /// <summary>Receive delta unit: 250 µs.</summary>
    public static readonly TimeSpan DeltaUnit = TimeSpan.FromTicks(2500);

    /// <summary>Reference time unit: 64 ms.</summary>
    public static readonly TimeSpan ReferenceTimeUnit = TimeSpan.FromMilliseconds(64);

    /// <summary>Largest run a run-length chunk can carry (13 bits).</summary>
    public const int MaxRunLength = 8191;

    private const int FciHeaderLength = 8;

    private readonly RtcpFeedback _feedback;
    private readonly int _chunkBytes;
    private readonly int _deltaBytes;

    private TransportWideFeedback(RtcpFeedback feedback, int chunkBytes, int deltaBytes, int receivedCount)
    {
        _feedback = feedback;
        _chunkBytes = chunkBytes;
        _deltaBytes = deltaBytes;
        ReceivedCount = receivedCount;
    }

    /// <summary>Gets the SSRC of the feedback sender.</summary>
    public uint SenderSsrc => _feedback.SenderSsrc;

    /// <summary>Gets the media source SSRC field (libwebrtc puts the SSRC of one of the media streams here).</summary>
    public uint MediaSsrc => _feedback.MediaSsrc;

    /// <summary>Gets the transport-wide sequence number of the first packet reported.</summary>
    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_feedback.Fci);

    /// <summary>Gets the number of packets reported.</summary>
    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_feedback.Fci[2..]);

    /// <summary>Gets the raw 24-bit reference time field.</summary>
    public uint ReferenceTimeRaw => (uint)((_feedback.Fci[4] << 16) | (_feedback.Fci[5] << 8) | _feedback.Fci[6]);

    /// <summary>Gets the reference time as the draft defines it: a signed 24-bit count of 64 ms units.</summary>
    public int ReferenceTime => ((int)(ReferenceTimeRaw << 8)) >> 8;

    /// <summary>Gets the feedback packet count, incremented for each feedback packet sent (to detect lost feedback).</summary>
    public byte FeedbackPacketCount => _feedback.Fci[7];

    /// <summary>Gets the number of packets reported as received.</summary>
    public int ReceivedCount { get; }

    /// <summary>Gets the number of packet chunks.</summary>
    public int ChunkCount => _chunkBytes / 2;

    /// <summary>Gets the receive delta bytes.</summary>
    public ReadOnlySpan<byte> DeltaBytes => _feedback.Fci.Slice(FciHeaderLength + _chunkBytes, _deltaBytes);

    /// <summary>Returns raw packet chunk <paramref name="index"/>.</summary>
    public ushort GetChunk(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ChunkCount);
        return BinaryPrimitives.ReadUInt16BigEndian(_feedback.Fci[(FciHeaderLength + (index * 2))..]);
    }

    /// <summary>
    /// Signed difference <paramref name="to"/> − <paramref name="from"/> of two raw 24-bit reference
    /// times, in 64 ms units, taking the 2^24 wrap (about 12.4 days) into account. A congestion
    /// controller uses it to line up consecutive feedback packets.
    /// </summary>
    public static int ReferenceTimeDifference(uint from, uint to) => ((int)((to - from) << 8)) >> 8;

    /// <summary>Returns an enumerator yielding one <see cref="TransportWidePacketReport"/> per reported packet.</summary>
    public PacketEnumerator GetEnumerator() => new(this);

    /// <summary>Reads transport-wide feedback; see the remarks for what is validated.</summary>
    public static bool TryParse(RtcpPacket packet, out TransportWideFeedback feedback)
    {
        feedback = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.TransportWideCc, out RtcpFeedback fb))
        {
            return false;
        }

        ReadOnlySpan<byte> fci = fb.Fci;
        if (fci.Length < FciHeaderLength + 2)
        {
            return false;
        }

        int remaining = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
        if (remaining == 0)
        {
            return false;
        }

        int offset = FciHeaderLength;
        int deltaBytes = 0;
        int received = 0;
        while (remaining > 0)
        {
            if (offset + 2 > fci.Length)
            {
                return false;
            }

            int chunk = BinaryPrimitives.ReadUInt16BigEndian(fci[offset..]);
            offset += 2;
            if ((chunk & 0x8000) == 0)
            {
                int symbol = (chunk >> 13) & 3;
                int run = Math.Min(chunk & 0x1FFF, remaining);
                if (symbol == 3 && run > 0)
                {
                    return false;
                }

                deltaBytes += run * symbol;
                received += symbol == 0 ? 0 : run;
                remaining -= run;
            }
            else if ((chunk & 0x4000) == 0)
            {
                int n = Math.Min(14, remaining);
                for (int i = 0; i < n; i++)
                {
                    int bit = (chunk >> (13 - i)) & 1;
                    deltaBytes += bit;
                    received += bit;
                }

                remaining -= n;
            }
            else
            {
                int n = Math.Min(7, remaining);
                for (int i = 0; i < n; i++)
                {
                    int symbol = (chunk >> (12 - (2 * i))) & 3;
                    if (symbol == 3)
                    {
                        return false;
                    }

                    deltaBytes += symbol;
                    received += symbol == 0 ? 0 : 1;
                }

                remaining -= n;
            }
        }

        int trailing = fci.Length - offset - deltaBytes;
        if (trailing < 0 || trailing > 3)
        {
            return false;
        }

        feedback = new TransportWideFeedback(fb, offset - FciHeaderLength, deltaBytes, received);
        return true;
    }

    /// <summary>
    /// Upper bound of the packet length for <paramref name="packetCount"/> packets (every delta
    /// large, a 2-bit vector chunk per 7 packets), for sizing buffers.
    /// </summary>
    public static int GetMaxLength(int packetCount) => RtcpFeedback.FixedLength + FciHeaderLength + (2 * ((packetCount + 6) / 7)) + (2 * packetCount) + 3;

    /// <summary>
    /// Builds transport-wide feedback for the packets <paramref name="baseSequenceNumber"/>,
    /// <paramref name="baseSequenceNumber"/> + 1, ... whose arrival times (or null when lost) are
    /// given in order.
    /// </summary>
    /// <remarks>
    /// <para>The reference time is the first arrival rounded down to 64 ms; arrival times are
    /// rounded down to 250 µs and each delta is taken between rounded times, so rounding never
    /// accumulates. Chunks are chosen greedily: a run-length chunk when a run of equal symbols
    /// fills at least a whole status vector, otherwise a 1-bit vector when the next 14 symbols
    /// need no large delta, otherwise a 2-bit vector.</para>
    /// <para>When a delta does not fit 16 signed bits, or the destination is too small, only the
    /// packets before that point are written; <paramref name="packetsWritten"/> says how many, and
    /// the caller starts a new feedback packet at the next one. The packet is padded to 32 bits
    /// with the P bit set and the count in the last byte, as libwebrtc does.</para>
    /// </remarks>
    /// <returns>False when not even one packet fits or <paramref name="arrivalTimes"/> is empty.</returns>
    public static bool TryWrite(
        Span<byte> destination,
        uint senderSsrc,
        uint mediaSsrc,
        ushort baseSequenceNumber,
        byte feedbackPacketCount,
        ReadOnlySpan<TimeSpan?> arrivalTimes,
        out int bytesWritten,
        out int packetsWritten)
    {
        bytesWritten = 0;
        packetsWritten = 0;
        const int headerLength = RtcpFeedback.FixedLength + FciHeaderLength;
        if (arrivalTimes.IsEmpty || destination.Length < headerLength + 4)
        {
            return false;
        }

        // Reference time and the packets whose deltas fit 16 signed bits.
        long referenceTime = 0;
        for (int i = 0; i < arrivalTimes.Length; i++)
        {
            if (arrivalTimes[i] is TimeSpan first)
            {
                referenceTime = FloorDiv(ToDeltaUnits(first), 256);
                break;
            }
        }

        // Status symbol of every packet, stopping before a delta that does not fit 16 signed bits.
        int limit = Math.Min(arrivalTimes.Length, ushort.MaxValue);
        byte[]? rented = null;
        Span<byte> symbols = limit <= 1024
            ? stackalloc byte[1024]
            : (rented = ArrayPool<byte>.Shared.Rent(limit));
        long previous = referenceTime * 256;
        for (int i = 0; i < limit; i++)
        {
            if (arrivalTimes[i] is TimeSpan t)
            {
                long units = ToDeltaUnits(t);
                long delta = units - previous;
                if (delta is < short.MinValue or > short.MaxValue)
                {
                    limit = i;
                    break;
                }

                previous = units;
                symbols[i] = delta is >= 0 and <= 255 ? (byte)1 : (byte)2;
            }
            else
            {
                symbols[i] = 0;
            }
        }

        try
        {
            if (limit == 0)
            {
                return false;
            }

            int covered = WriteChunks(destination, symbols[..limit], headerLength, out int chunkOffset);
            if (covered == 0)
            {
                return false;
            }

            WriteDeltasAndHeader(destination, senderSsrc, mediaSsrc, baseSequenceNumber, feedbackPacketCount, arrivalTimes[..covered], referenceTime, chunkOffset, out bytesWritten);
            packetsWritten = covered;
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Greedy chunk choice (see TryWrite); chunks go straight after the header. Returns the number
    // of packets covered, which is smaller than symbols.Length when the destination is too small.
    private static int WriteChunks(Span<byte> destination, ReadOnlySpan<byte> symbols, int headerLength, out int chunkOffset)
    {
        int maxLength = Math.Min(destination.Length, RtcpPacket.MaxLength);
        chunkOffset = headerLength;
        int deltaBytes = 0;
        int covered = 0;
        while (covered < symbols.Length)
        {
            ReadOnlySpan<byte> rest = symbols[covered..];
            int first = rest[0];
            int run = 1;
            int maxRun = Math.Min(rest.Length, MaxRunLength);
            while (run < maxRun && rest[run] == first)
            {
                run++;
            }

            int window = Math.Min(14, rest.Length);
            bool allSmall = rest[..window].IndexOf((byte)2) < 0;
            int capacity = allSmall ? 14 : 7;
            int chunk;
            int count;
            if (run >= Math.Min(capacity, rest.Length))
            {
                count = run;
                chunk = (first << 13) | run;
            }
            else if (allSmall)
            {
                count = window;
                chunk = 0x8000;
                for (int i = 0; i < count; i++)
                {
                    chunk |= rest[i] << (13 - i);
                }
            }
            else
            {
                count = Math.Min(7, rest.Length);
                chunk = 0xC000;
                for (int i = 0; i < count; i++)
                {
                    chunk |= rest[i] << (12 - (2 * i));
                }
            }

            int chunkDeltaBytes = SumDeltaBytes(rest[..count]);
            bool truncated = false;
            if (PaddedLength(chunkOffset + 2 + deltaBytes + chunkDeltaBytes) > maxLength)
            {
                // Out of room: this chunk becomes the last one and covers only the packets whose
                // deltas still fit (a vector's unused symbols become 0, a run gets shorter).
                int fitCount = 0;
                int fitBytes = 0;
                while (fitCount < count && PaddedLength(chunkOffset + 2 + deltaBytes + fitBytes + rest[fitCount]) <= maxLength)
                {
                    fitBytes += rest[fitCount];
                    fitCount++;
                }

                if (fitCount == 0)
                {
                    break;
                }

                if ((chunk & 0x8000) == 0)
                {
                    chunk = (chunk & 0xE000) | fitCount;
                }
                else
                {
                    int unusedBits = (chunk & 0x4000) == 0 ? 14 - fitCount : 2 * (7 - fitCount);
                    chunk &= ~((1 << unusedBits) - 1);
                }

                count = fitCount;
                chunkDeltaBytes = fitBytes;
                truncated = true;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[chunkOffset..], (ushort)chunk);
            chunkOffset += 2;
            deltaBytes += chunkDeltaBytes;
            covered += count;
            if (truncated)
            {
                break;
            }
        }

        return covered;
    }

    private static int SumDeltaBytes(ReadOnlySpan<byte> symbols)
    {
        int sum = 0;
        foreach (byte symbol in symbols)
        {
            sum += symbol;
        }

        return sum;
    }

    private static void WriteDeltasAndHeader(
        Span<byte> destination,
        uint senderSsrc,
        uint mediaSsrc,
        ushort baseSequenceNumber,
        byte feedbackPacketCount,
        ReadOnlySpan<TimeSpan?> arrivalTimes,
        long referenceTime,
        int chunkOffset,
        out int bytesWritten)
    {
        int covered = arrivalTimes.Length;
        int offset = chunkOffset;
        long previous = referenceTime * 256;
        for (int i = 0; i < covered; i++)
        {
            if (arrivalTimes[i] is TimeSpan t)
            {
                long units = ToDeltaUnits(t);
                long delta = units - previous;
                previous = units;
                if (delta is >= 0 and <= 255)
                {
                    destination[offset++] = (byte)delta;
                }
                else
                {
                    BinaryPrimitives.WriteInt16BigEndian(destination[offset..], (short)delta);
                    offset += 2;
                }
            }
        }

        int padding = (4 - (offset & 3)) & 3;
        int length = offset + padding;
        if (padding > 0)
        {
            destination.Slice(offset, padding - 1).Clear();
            destination[length - 1] = (byte)padding;
        }

        RtcpFeedback.WriteHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.TransportWideCc, length, senderSsrc, mediaSsrc, padding > 0);
        Span<byte> fci = destination[RtcpFeedback.FixedLength..];
        BinaryPrimitives.WriteUInt16BigEndian(fci, baseSequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(fci[2..], (ushort)covered);
        fci[4] = (byte)(referenceTime >> 16);
        fci[5] = (byte)(referenceTime >> 8);
        fci[6] = (byte)referenceTime;
        fci[7] = feedbackPacketCount;
        bytesWritten = length;
    }

    private static int PaddedLength(int length) => (length + 3) & ~3;

    private static long ToDeltaUnits(TimeSpan time) => FloorDiv(time.Ticks, 2500);

    private static long FloorDiv(long value, long divisor)
    {
        long q = Math.DivRem(value, divisor, out long r);
        return r < 0 ? q - 1 : q;
    }

    /// <summary>Decodes the chunks and deltas of a validated feedback packet, one packet at a time.</summary>
    public ref struct PacketEnumerator
    {
        private readonly ReadOnlySpan<byte> _chunks;
        private readonly ReadOnlySpan<byte> _deltas;
        private readonly int _total;
        private readonly ushort _base;
        private int _index;
        private int _chunkOffset;
        private int _chunk;
        private int _inChunk;
        private int _chunkSize;
        private int _deltaOffset;
        private long _time;
        private TransportWidePacketReport _current;

        internal PacketEnumerator(TransportWideFeedback feedback)
        {
            ReadOnlySpan<byte> fci = feedback._feedback.Fci;
            _chunks = fci.Slice(FciHeaderLength, feedback._chunkBytes);
            _deltas = feedback.DeltaBytes;
            _total = feedback.PacketStatusCount;
            _base = feedback.BaseSequenceNumber;
            _time = (long)feedback.ReferenceTime * 256;
        }

        /// <summary>Gets the current packet.</summary>
        public readonly TransportWidePacketReport Current => _current;

        /// <summary>Advances to the next packet.</summary>
        public bool MoveNext()
        {
            if (_index >= _total)
            {
                return false;
            }

            while (_inChunk >= _chunkSize)
            {
                _chunk = BinaryPrimitives.ReadUInt16BigEndian(_chunks[_chunkOffset..]);
                _chunkOffset += 2;
                _inChunk = 0;
                _chunkSize = (_chunk & 0x8000) == 0 ? _chunk & 0x1FFF : (_chunk & 0x4000) == 0 ? 14 : 7;
            }

            int symbol = (_chunk & 0x8000) == 0
                ? (_chunk >> 13) & 3
                : (_chunk & 0x4000) == 0
                    ? (_chunk >> (13 - _inChunk)) & 1
                    : (_chunk >> (12 - (2 * _inChunk))) & 3;
            _inChunk++;

            int delta = 0;
            if (symbol == 1)
            {
                delta = _deltas[_deltaOffset++];
            }
            else if (symbol == 2)
            {
                delta = BinaryPrimitives.ReadInt16BigEndian(_deltas[_deltaOffset..]);
                _deltaOffset += 2;
            }

            _time += delta;
            _current = new TransportWidePacketReport(
                (ushort)(_base + _index),
                (TransportWidePacketStatus)symbol,
                delta,
                TimeSpan.FromTicks(_time * 2500));
            _index++;
            return true;
        }
    }
}
