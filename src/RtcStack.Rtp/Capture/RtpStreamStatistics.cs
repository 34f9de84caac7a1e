namespace RtcStack.Rtp.Capture;

/// <summary>
/// What one RTP stream in a capture looked like on arrival: counts from RFC 3550 Appendix A.3
/// (expected and lost), reordering and duplicates, and the interarrival jitter of RFC 3550 §6.4.1
/// and Appendix A.8 computed in double precision. Fed in arrival (file) order by
/// <see cref="RtpStreamAnalyzer"/>.
/// </summary>
public sealed class RtpStreamStatistics
{
    private readonly Dictionary<long, ulong> _seen = [];
    private readonly List<byte> _payloadTypes = [];
    private long _baseSequence;
    private long _highestSequence;
    private long _firstArrival;
    private long _lastArrival;
    private uint _lastTimestamp;
    private double _jitterUnits;
    private double _jitterSumMs;
    private int _jitterSamples;

    internal RtpStreamStatistics(RtpStreamKey key, int clockRate)
    {
        Key = key;
        ClockRate = clockRate;
    }

    /// <summary>Gets the 5-tuple and SSRC.</summary>
    public RtpStreamKey Key { get; }

    /// <summary>Gets the clock rate used for jitter, in Hz.</summary>
    public int ClockRate { get; }

    /// <summary>Gets the payload type of the first packet.</summary>
    public byte PayloadType => _payloadTypes[0];

    /// <summary>Gets every payload type seen, in order of first appearance.</summary>
    public IReadOnlyList<byte> PayloadTypes => _payloadTypes;

    /// <summary>Gets the number of packets received, duplicates included (RFC 3550 A.3 "received").</summary>
    public long Packets { get; private set; }

    /// <summary>Gets the sum of the RTP packet sizes (UDP payload bytes).</summary>
    public long Bytes { get; private set; }

    /// <summary>Gets the sequence number of the first packet, extended to 64 bits (the RFC 3550 A.3 base).</summary>
    public long FirstSequence => _baseSequence;

    /// <summary>Gets the highest extended sequence number received (RFC 3550 A.3).</summary>
    public long HighestSequence => _highestSequence;

    /// <summary>Gets the extended sequence number of the packet that arrived last (Wireshark counts "expected" up to this one).</summary>
    public long LastSequence { get; private set; }

    /// <summary>Gets highest − first + 1 (RFC 3550 A.3 "expected").</summary>
    public long Expected => _highestSequence - _baseSequence + 1;

    /// <summary>Gets expected − received (RFC 3550 A.3); negative when duplicates outnumber losses.</summary>
    public long Lost => Expected - Packets;

    /// <summary>Gets the number of packets whose sequence number had been received before.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Gets the number of packets that arrived after a packet with a higher sequence number (duplicates excluded).</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Gets the largest forward jump of the highest sequence number minus one: 0 when no sequence number was ever skipped.</summary>
    public long MaxSequenceGap { get; private set; }

    /// <summary>Gets the largest time between two consecutive arrivals, in milliseconds.</summary>
    public double MaxDeltaMs { get; private set; }

    /// <summary>Gets the interarrival jitter estimate after the last packet (RFC 3550 A.8), in milliseconds.</summary>
    public double JitterMs => _jitterUnits * 1000.0 / ClockRate;

    /// <summary>Gets the largest jitter estimate seen, in milliseconds.</summary>
    public double MaxJitterMs { get; private set; }

    /// <summary>Gets the mean of the jitter estimates after each packet but the first, in milliseconds.</summary>
    public double MeanJitterMs => _jitterSamples == 0 ? 0 : _jitterSumMs / _jitterSamples;

    /// <summary>Gets the arrival time of the first packet, in nanoseconds since the Unix epoch.</summary>
    public long FirstArrivalNanoseconds => _firstArrival;

    /// <summary>Gets the arrival time of the last packet, in nanoseconds since the Unix epoch.</summary>
    public long LastArrivalNanoseconds => _lastArrival;

    /// <summary>Gets the time from the first to the last arrival, in seconds.</summary>
    public double DurationSeconds => (_lastArrival - _firstArrival) / 1e9;

    /// <summary>Gets the bit rate of the RTP packets (headers included, IP/UDP excluded) over <see cref="DurationSeconds"/>, in bits per second; 0 for a single instant.</summary>
    public double BitsPerSecond => DurationSeconds > 0 ? Bytes * 8 / DurationSeconds : 0;

    internal void Add(long arrivalNanoseconds, ushort sequence, uint timestamp, byte payloadType, int size)
    {
        if (!_payloadTypes.Contains(payloadType))
        {
            _payloadTypes.Add(payloadType);
        }

        Bytes += size;
        if (Packets == 0)
        {
            _baseSequence = sequence;
            _highestSequence = sequence;
            _firstArrival = arrivalNanoseconds;
            _lastArrival = arrivalNanoseconds;
            _lastTimestamp = timestamp;
            LastSequence = sequence;
            MarkSeen(sequence);
            Packets = 1;
            return;
        }

        // Extend to 64 bits around the highest sequence so far (RFC 3550 A.1's cycle count).
        long extended = _highestSequence + (short)(ushort)(sequence - (ushort)_highestSequence);
        LastSequence = extended;
        if (!MarkSeen(extended))
        {
            Duplicates++;
        }
        else if (extended < _highestSequence)
        {
            OutOfOrder++;
        }

        if (extended > _highestSequence)
        {
            MaxSequenceGap = Math.Max(MaxSequenceGap, extended - _highestSequence - 1);
            _highestSequence = extended;
        }

        // RFC 3550 A.8: D(i,j) = (Rj - Ri) - (Sj - Si) in timestamp units and J += (|D| - J) / 16,
        // with i the packet that arrived before j. The arrival difference is taken in integer
        // nanoseconds and the 32-bit timestamp difference modulo 2^32, so neither wrap-around nor
        // the size of epoch timestamps costs precision.
        long deltaArrivalNanos = arrivalNanoseconds - _lastArrival;
        MaxDeltaMs = Math.Max(MaxDeltaMs, deltaArrivalNanos / 1e6);
        int timestampDelta = (int)(timestamp - _lastTimestamp);
        double d = Math.Abs((deltaArrivalNanos * (double)ClockRate / 1e9) - timestampDelta);
        _jitterUnits += (d - _jitterUnits) / 16;
        double jitterMs = JitterMs;
        MaxJitterMs = Math.Max(MaxJitterMs, jitterMs);
        _jitterSumMs += jitterMs;
        _jitterSamples++;

        _lastArrival = arrivalNanoseconds;
        _lastTimestamp = timestamp;
        Packets++;
    }

    /// <summary>Records <paramref name="extended"/> as received; false if it already was.</summary>
    private bool MarkSeen(long extended)
    {
        long word = extended >> 6;
        ulong bit = 1UL << (int)(extended & 63);
        _seen.TryGetValue(word, out ulong bits);
        if ((bits & bit) != 0)
        {
            return false;
        }

        _seen[word] = bits | bit;
        return true;
    }
}
