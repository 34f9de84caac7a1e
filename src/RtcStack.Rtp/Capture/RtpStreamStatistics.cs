namespace RtcStack.Rtp.Capture;

/// <summary>
/// What one RTP stream in a capture looked like on arrival: counts from RFC 3550 Appendix A.3
/// (expected and lost), reordering and duplicates, and the interarrival jitter of RFC 3550 §6.4.1
/// and Appendix A.8 computed in double precision. Fed in arrival (file) order by
/// <see cref="RtpStreamAnalyzer"/>.
/// </summary>
/// <remarks>
/// The RFC 3550 numbers are those of an <see cref="RtpReceiverStatistics"/> (the receiver's own
/// statistics) set up for a capture: no probation (the first packet counts), no restart after a
/// large jump (each sequence number is extended to the nearest value around the highest so far,
/// as a capture analyser has no later packets to confirm a restart with), and duplicates
/// recognised as far back as sequence numbers can be told apart. This class adds only what a
/// capture shows and a receiver does not need: payload types, bytes, arrival times, the largest
/// gap between arrivals, and the sequence number of the last arrival (tshark counts lost packets
/// up to it; see specs/pcap.md).
/// </remarks>
public sealed class RtpStreamStatistics
{
    // udelta < 2^15 is a step forward and anything else a late packet, which is what extending
    // to the nearest value does: the A.1 restart branch (MAX_DROPOUT <= udelta <= 2^16 - MAX_MISORDER)
    // is empty with these bounds.
    private const int NoDropout = 1 << 15;
    private const int NoMisorder = (1 << 15) + 1;

    // Late packets reach back 2^15 sequence numbers, so the history must cover 2^16 of them. It
    // starts at 64 and grows with the stream: a capture can hold very many one-packet "streams"
    // (UDP noise whose first byte looks like RTP).
    private const int HistorySize = 1 << 16;
    private const int InitialHistorySize = 64;

    private readonly RtpReceiverStatistics _rfc3550;
    private readonly List<byte> _payloadTypes = [];
    private long _firstArrival;
    private long _lastArrival;

    internal RtpStreamStatistics(RtpStreamKey key, int clockRate)
    {
        Key = key;
        _rfc3550 = new RtpReceiverStatistics(key.Ssrc, clockRate, minSequential: 1, NoDropout, NoMisorder, new ReceivedSequenceHistory(HistorySize, InitialHistorySize));
    }

    /// <summary>Gets the 5-tuple and SSRC.</summary>
    public RtpStreamKey Key { get; }

    /// <summary>Gets the clock rate used for jitter, in Hz.</summary>
    public int ClockRate => _rfc3550.ClockRate;

    /// <summary>Gets the payload type of the first packet.</summary>
    public byte PayloadType => _payloadTypes[0];

    /// <summary>Gets every payload type seen, in order of first appearance.</summary>
    public IReadOnlyList<byte> PayloadTypes => _payloadTypes;

    /// <summary>Gets the number of packets received, duplicates included (RFC 3550 A.3 "received").</summary>
    public long Packets => _rfc3550.PacketsReceived;

    /// <summary>Gets the sum of the RTP packet sizes (UDP payload bytes).</summary>
    public long Bytes { get; private set; }

    /// <summary>Gets the sequence number of the first packet, extended to 64 bits (the RFC 3550 A.3 base).</summary>
    public long FirstSequence => _rfc3550.BaseSequenceNumber;

    /// <summary>Gets the highest extended sequence number received (RFC 3550 A.3).</summary>
    public long HighestSequence => _rfc3550.ExtendedHighestSequenceNumber;

    /// <summary>Gets the extended sequence number of the packet that arrived last (Wireshark counts "expected" up to this one).</summary>
    public long LastSequence => _rfc3550.LastExtendedSequenceNumber;

    /// <summary>Gets highest − first + 1 (RFC 3550 A.3 "expected").</summary>
    public long Expected => _rfc3550.PacketsExpected;

    /// <summary>Gets expected − received (RFC 3550 A.3); negative when duplicates outnumber losses.</summary>
    public long Lost => _rfc3550.CumulativeLost;

    /// <summary>Gets the number of packets whose sequence number had been received before.</summary>
    public long Duplicates => _rfc3550.Duplicates;

    /// <summary>Gets the number of packets that arrived after a packet with a higher sequence number (duplicates excluded).</summary>
    public long OutOfOrder => _rfc3550.OutOfOrder;

    /// <summary>Gets the largest forward jump of the highest sequence number minus one: 0 when no sequence number was ever skipped.</summary>
    public long MaxSequenceGap => _rfc3550.MaxSequenceGap;

    /// <summary>Gets the largest time between two consecutive arrivals, in milliseconds.</summary>
    public double MaxDeltaMs { get; private set; }

    /// <summary>Gets the interarrival jitter estimate after the last packet (RFC 3550 A.8), in milliseconds.</summary>
    public double JitterMs => _rfc3550.Jitter * 1000.0 / ClockRate;

    /// <summary>Gets the largest jitter estimate seen, in milliseconds.</summary>
    public double MaxJitterMs => _rfc3550.MaxJitter * 1000.0 / ClockRate;

    /// <summary>Gets the mean of the jitter estimates after each packet but the first, in milliseconds.</summary>
    public double MeanJitterMs => _rfc3550.MeanJitter * 1000.0 / ClockRate;

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
            _firstArrival = arrivalNanoseconds;
        }
        else
        {
            MaxDeltaMs = Math.Max(MaxDeltaMs, (arrivalNanoseconds - _lastArrival) / 1e6);
        }

        _lastArrival = arrivalNanoseconds;

        // With no probation and no restart branch every packet counts.
        _rfc3550.ReceivePacket(sequence, timestamp, arrivalNanoseconds);
    }
}
