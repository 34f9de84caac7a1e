using System.Buffers.Binary;

namespace RtcStack.Video;

/// <summary>
/// Cuts H.264 access units in Annex B form (NAL units each after a 3- or 4-byte start code, ITU-T H.264 Annex B) into
/// RTP payloads (RFC 6184 §5, §6). In <see cref="H264PacketizationMode.SingleNalUnit"/> mode every NAL unit is one
/// payload (§5.6) and an access unit with a NAL unit longer than <see cref="MaxPayloadSize"/> is refused. In
/// <see cref="H264PacketizationMode.NonInterleaved"/> mode NAL units that fit go alone (§5.6) or, when consecutive ones
/// fit together, in one STAP-A (§5.7.1: typically SPS + PPS, with the slice too when it is small); longer ones are cut
/// into FU-As (§5.8) of near-equal size. NAL units keep their order (§6.3). The RTP marker goes on the last payload of
/// the access unit (§5.1). Start codes, leading zeros and trailing zero bytes are not sent.
/// </summary>
public sealed class H264Packetizer : IVideoPacketizer
{
    private static ReadOnlySpan<byte> StartCode => [0, 0, 1];

    private readonly H264PacketizationMode _mode;
    private int[] _nalStart = new int[64];
    private int[] _nalLength = new int[64];
    private int _nalCount;
    private int _nalIndex;
    private ReadOnlyMemory<byte> _frame;
    private int _maxPayloadSize = 1200;
    private int _pushedMaxPayloadSize;
    private bool _first;

    // FU-A state for the NAL unit at _nalIndex.
    private int _fragmentIndex;
    private int _fragmentCount;
    private int _fragmentBase;
    private int _fragmentLarger;
    private int _fragmentOffset;

    /// <summary>Initializes a new instance of the <see cref="H264Packetizer"/> class.</summary>
    /// <param name="mode">The negotiated packetization-mode (RFC 6184 §8.1); 1 is what browsers offer.</param>
    public H264Packetizer(H264PacketizationMode mode = H264PacketizationMode.NonInterleaved)
    {
        if (mode is not (H264PacketizationMode.SingleNalUnit or H264PacketizationMode.NonInterleaved))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), "Only packetization-mode 0 and 1 are implemented.");
        }

        _mode = mode;
    }

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.H264;

    /// <summary>Gets the packetization mode.</summary>
    public H264PacketizationMode Mode => _mode;

    /// <summary>Gets or sets whether small consecutive NAL units share a STAP-A (mode 1 only; true by default).</summary>
    public bool Aggregate { get; set; } = true;

    /// <inheritdoc/>
    public int MaxPayloadSize
    {
        get => _maxPayloadSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxPayloadSize = value;
        }
    }

    /// <inheritdoc/>
    public bool HasPending => _nalIndex < _nalCount;

    /// <inheritdoc/>
    /// <remarks>
    /// <see cref="VideoPacketizeStatus.Malformed"/> when the access unit does not begin with a start code (after
    /// optional zero bytes), holds no NAL unit, or holds a NAL unit of type 0 or 24-31 (which RFC 6184 uses for its own
    /// packet types, §5.2). <see cref="VideoPacketizeStatus.TooLarge"/> in mode 0 when a NAL unit exceeds
    /// <see cref="MaxPayloadSize"/>, and in mode 1 when a NAL unit needs fragmenting and MaxPayloadSize is below 3.
    /// </remarks>
    public VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, bool keyFrame)
    {
        if (HasPending)
        {
            return VideoPacketizeStatus.Busy;
        }

        if (frame.IsEmpty)
        {
            return VideoPacketizeStatus.Empty;
        }

        ReadOnlySpan<byte> data = frame.Span;
        int at = data.IndexOf(StartCode);
        if (at < 0 || data[..at].ContainsAnyExcept((byte)0))
        {
            return VideoPacketizeStatus.Malformed;
        }

        int count = 0;
        int max = _maxPayloadSize;
        bool tooLarge = false;
        while (at >= 0)
        {
            int start = at + 3;
            int next = data[start..].IndexOf(StartCode);
            int end = next < 0 ? data.Length : start + next;
            at = next < 0 ? -1 : end;

            // Zero bytes before a start code are trailing_zero_8bits (or the first byte of a 4-byte start code).
            while (end > start && data[end - 1] == 0)
            {
                end--;
            }

            if (end == start)
            {
                continue;
            }

            if (!H264NalUnit.IsH264Type(H264NalUnit.Type(data[start])))
            {
                return VideoPacketizeStatus.Malformed;
            }

            int length = end - start;
            if (length > max && (_mode == H264PacketizationMode.SingleNalUnit || max < 3))
            {
                tooLarge = true;
            }

            if (count == _nalStart.Length)
            {
                Array.Resize(ref _nalStart, count * 2);
                Array.Resize(ref _nalLength, count * 2);
            }

            _nalStart[count] = start;
            _nalLength[count] = length;
            count++;
        }

        if (count == 0)
        {
            return VideoPacketizeStatus.Malformed;
        }

        if (tooLarge)
        {
            return VideoPacketizeStatus.TooLarge;
        }

        _frame = frame;
        _nalCount = count;
        _nalIndex = 0;
        _fragmentCount = 0;
        _pushedMaxPayloadSize = max;
        _first = true;
        return VideoPacketizeStatus.Ok;
    }

    /// <inheritdoc/>
    public bool TryPoll(Span<byte> destination, out VideoRtpPayload payload)
    {
        payload = default;
        int max = _pushedMaxPayloadSize;
        if (!HasPending || destination.Length < max)
        {
            return false;
        }

        ReadOnlySpan<byte> data = _frame.Span;
        int written;
        if (_fragmentCount > 0 || _nalLength[_nalIndex] > max)
        {
            written = WriteFragment(data, destination, max);
        }
        else
        {
            int last = _nalIndex;
            if (_mode == H264PacketizationMode.NonInterleaved && Aggregate && _nalLength[_nalIndex] <= ushort.MaxValue)
            {
                int size = 1 + 2 + _nalLength[_nalIndex];
                while (last + 1 < _nalCount && _nalLength[last + 1] <= ushort.MaxValue && size + 2 + _nalLength[last + 1] <= max)
                {
                    size += 2 + _nalLength[last + 1];
                    last++;
                }
            }

            written = last > _nalIndex ? WriteStapA(data, destination, last) : WriteSingle(data, destination);
        }

        bool first = _first;
        _first = false;
        bool marker = !HasPending;
        if (marker)
        {
            _frame = default;
        }

        payload = new VideoRtpPayload(written, marker, first);
        return true;
    }

    private int WriteSingle(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        int length = _nalLength[_nalIndex];
        data.Slice(_nalStart[_nalIndex], length).CopyTo(destination);
        _nalIndex++;
        return length;
    }

    // RFC 6184 §5.7.1: F is the OR of the aggregated F bits, NRI their maximum; each unit is preceded by its 16-bit size.
    private int WriteStapA(ReadOnlySpan<byte> data, Span<byte> destination, int last)
    {
        int f = 0;
        int nri = 0;
        int offset = 1;
        for (int i = _nalIndex; i <= last; i++)
        {
            ReadOnlySpan<byte> nal = data.Slice(_nalStart[i], _nalLength[i]);
            f |= nal[0] & 0x80;
            nri = Math.Max(nri, nal[0] & 0x60);
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)nal.Length);
            nal.CopyTo(destination[(offset + 2)..]);
            offset += 2 + nal.Length;
        }

        destination[0] = (byte)(f | nri | H264NalUnit.StapA);
        _nalIndex = last + 1;
        return offset;
    }

    // RFC 6184 §5.8: FU indicator |F|NRI|28|, FU header |S|E|R|Type|; the NAL unit header itself is not sent.
    private int WriteFragment(ReadOnlySpan<byte> data, Span<byte> destination, int max)
    {
        ReadOnlySpan<byte> nal = data.Slice(_nalStart[_nalIndex], _nalLength[_nalIndex]);
        if (_fragmentCount == 0)
        {
            int body = nal.Length - 1;
            int capacity = max - 2;
            _fragmentCount = (body + capacity - 1) / capacity;
            _fragmentBase = body / _fragmentCount;
            _fragmentLarger = body % _fragmentCount;
            _fragmentIndex = 0;
            _fragmentOffset = 1;
        }

        int size = _fragmentBase + (_fragmentIndex < _fragmentLarger ? 1 : 0);
        bool start = _fragmentIndex == 0;
        bool end = _fragmentIndex == _fragmentCount - 1;
        destination[0] = (byte)((nal[0] & 0xE0) | H264NalUnit.FuA);
        destination[1] = (byte)((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1F));
        nal.Slice(_fragmentOffset, size).CopyTo(destination[2..]);
        _fragmentOffset += size;
        _fragmentIndex++;
        if (end)
        {
            _fragmentCount = 0;
            _nalIndex++;
        }

        return 2 + size;
    }
}
