using System.Buffers;
using System.Buffers.Binary;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// Writes classic little-endian pcap files (draft-ietf-opsawg-pcap): raw frames, or UDP datagrams
/// framed by <see cref="UdpFrameWriter"/> with correct checksums. Used for test captures,
/// <c>rtcstack pcap generate</c> and captures rewritten by other commands.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    /// <summary>The default snap length written to the header (libpcap's maximum for most link types).</summary>
    public const int DefaultSnapLength = 262_144;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly bool _nanoseconds;
    private readonly byte[] _header = new byte[16];
    private ushort _ipv4Identification;

    /// <summary>Initializes a writer and writes the file header to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the capture goes.</param>
    /// <param name="linkType">The link type of every record.</param>
    /// <param name="nanosecondTimestamps">Whether to store nanosecond (magic A1B23C4D) instead of microsecond timestamps.</param>
    /// <param name="snapLength">The snap length to record in the header.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    public PcapWriter(Stream stream, LinkType linkType = LinkType.Ethernet, bool nanosecondTimestamps = false, int snapLength = DefaultSnapLength, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _nanoseconds = nanosecondTimestamps;
        LinkType = linkType;
        SnapLength = snapLength;

        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, nanosecondTimestamps ? CaptureReader.PcapMagicNanoseconds : CaptureReader.PcapMagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        _stream.Write(header);
    }

    /// <summary>Gets the link type of every record in this file.</summary>
    public LinkType LinkType { get; }

    /// <summary>Gets the snap length: longer frames are cut to it (their original length is kept).</summary>
    public int SnapLength { get; }

    /// <summary>Gets the number of records written.</summary>
    public long RecordsWritten { get; private set; }

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/>.</summary>
    public static PcapWriter Create(string path, LinkType linkType = LinkType.Ethernet, bool nanosecondTimestamps = false)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        return new PcapWriter(stream, linkType, nanosecondTimestamps);
    }

    /// <summary>Writes one record holding <paramref name="frame"/> (which starts with the link-layer header).</summary>
    /// <param name="timestampNanoseconds">Capture time in nanoseconds since the Unix epoch (0 to year 2106).</param>
    /// <param name="frame">The frame bytes.</param>
    /// <param name="originalLength">The length on the wire, if larger than <paramref name="frame"/> (-1: the frame's length).</param>
    public void WriteRecord(long timestampNanoseconds, ReadOnlySpan<byte> frame, int originalLength = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNanoseconds);
        long seconds = timestampNanoseconds / 1_000_000_000;
        long fraction = timestampNanoseconds % 1_000_000_000;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, uint.MaxValue, nameof(timestampNanoseconds));
        int captured = Math.Min(frame.Length, SnapLength);
        int original = originalLength < 0 ? frame.Length : Math.Max(originalLength, frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)(_nanoseconds ? fraction : fraction / 1000));
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(8), captured);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(12), original);
        _stream.Write(_header);
        _stream.Write(frame[..captured]);
        RecordsWritten++;
    }

    /// <summary>Writes one UDP datagram carrying <paramref name="payload"/> on <paramref name="flow"/>, framed for <see cref="LinkType"/>.</summary>
    public void WriteUdp(long timestampNanoseconds, UdpFlow flow, ReadOnlySpan<byte> payload)
    {
        int length = UdpFrameWriter.GetFrameLength(LinkType, flow.SourceAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, payload.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int written = UdpFrameWriter.Write(LinkType, flow, payload, rented, _ipv4Identification++);
            WriteRecord(timestampNanoseconds, rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Flushes buffered records to the stream.</summary>
    public void Flush() => _stream.Flush();

    /// <summary>Flushes and closes the stream unless the writer was created with leaveOpen.</summary>
    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
