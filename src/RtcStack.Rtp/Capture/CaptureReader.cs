using System.Buffers.Binary;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// A streaming reader of classic pcap (draft-ietf-opsawg-pcap) and pcapng
/// (draft-ietf-opsawg-pcapng) capture files. It detects the format and byte order from the first
/// bytes, holds only the current record in memory, and never throws on bad file contents: damage
/// ends the iteration with <see cref="CaptureReadStatus.Truncated"/> or
/// <see cref="CaptureReadStatus.Malformed"/> and a message in <see cref="Error"/>, after every
/// record before the damage was delivered. Exceptions come only from the underlying stream (I/O).
/// </summary>
/// <example>
/// <code>
/// using var reader = CaptureReader.Open("call.pcapng");
/// while (reader.ReadNext(out CaptureRecord record) == CaptureReadStatus.Record)
/// {
///     if (UdpDatagram.TryDissect(record.LinkType, record.Data.Span, out UdpDatagram udp) == UdpDissectStatus.Ok) { ... }
/// }
/// if (reader.Error is not null) { Console.Error.WriteLine(reader.Error); }
/// </code>
/// </example>
public sealed partial class CaptureReader : IDisposable
{
    /// <summary>
    /// The largest record or block this reader accepts (16 MiB, the limit libpcap applies to pcapng
    /// blocks). Longer length fields are treated as corruption rather than allocated.
    /// </summary>
    public const int MaxRecordLength = 16 * 1024 * 1024;

    private const int InitialBufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly List<CaptureInterface> _interfaces = [];
    private byte[] _buffer = new byte[InitialBufferSize];
    private long _position;
    private bool _started;
    private bool _bigEndian;
    private CaptureReadStatus? _final;

    /// <summary>Initializes a reader over <paramref name="stream"/>, which is read sequentially from its current position.</summary>
    /// <param name="stream">The capture bytes.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    public CaptureReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Gets the detected format (<see cref="CaptureFormat.Unknown"/> before the first read).</summary>
    public CaptureFormat Format { get; private set; }

    /// <summary>Gets the interfaces described so far in the current section (one for classic pcap).</summary>
    public IReadOnlyList<CaptureInterface> Interfaces => _interfaces;

    /// <summary>Gets the number of packet records delivered so far.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>Gets the number of bytes consumed from the stream so far.</summary>
    public long BytesRead => _position;

    /// <summary>Gets whether the current file or section stores numbers big-endian.</summary>
    public bool IsBigEndian => _bigEndian;

    /// <summary>Gets a description of the damage that ended the iteration, or null while the capture is intact.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets the byte offset of the header, block or record where the damage was found (-1 if none).</summary>
    public long ErrorOffset { get; private set; } = -1;

    /// <summary>Opens the capture file at <paramref name="path"/> for sequential reading.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static CaptureReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        return new CaptureReader(stream, leaveOpen: false);
    }

    /// <summary>
    /// Reads the next packet record. Returns <see cref="CaptureReadStatus.Record"/> with
    /// <paramref name="record"/> filled, or the terminal status (repeated on later calls).
    /// </summary>
    public CaptureReadStatus ReadNext(out CaptureRecord record)
    {
        record = default;
        if (_final is CaptureReadStatus done)
        {
            return done;
        }

        if (!_started)
        {
            _started = true;
            CaptureReadStatus header = ReadFileHeader();
            if (header != CaptureReadStatus.Record)
            {
                return header;
            }
        }

        return Format == CaptureFormat.Pcap ? ReadPcapRecord(out record) : ReadPcapNgBlock(out record);
    }

    /// <summary>Closes the underlying stream unless the reader was created with leaveOpen.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private CaptureReadStatus ReadFileHeader()
    {
        int got = ReadInto(0, 4);
        if (got == 0)
        {
            return Fail(CaptureReadStatus.Malformed, 0, "the file is empty: not a pcap or pcapng capture");
        }

        if (got < 4)
        {
            return Fail(CaptureReadStatus.Truncated, 0, $"the file is only {got} bytes long: too short for a pcap or pcapng header");
        }

        uint little = BinaryPrimitives.ReadUInt32LittleEndian(_buffer);
        uint big = BinaryPrimitives.ReadUInt32BigEndian(_buffer);
        if (big == PcapNgBlockType.SectionHeader)
        {
            Format = CaptureFormat.PcapNg;
            return ReadSectionHeaderAfterType(0);
        }

        foreach ((uint value, bool bigEndian) in (ReadOnlySpan<(uint, bool)>)[(little, false), (big, true)])
        {
            if (value is PcapMagicMicroseconds or PcapMagicNanoseconds or PcapMagicModified)
            {
                _bigEndian = bigEndian;
                Format = CaptureFormat.Pcap;
                return ReadPcapHeaderAfterMagic(value);
            }
        }

        string hint = _buffer[0] == 0x1F && _buffer[1] == 0x8B
            ? " (it looks gzip-compressed: decompress it first)"
            : "";
        return Fail(CaptureReadStatus.Malformed, 0,
            $"not a pcap or pcapng capture: it starts with {Convert.ToHexString(_buffer, 0, 4)}, expected A1B2C3D4, A1B23C4D (pcap) or 0A0D0D0A (pcapng){hint}");
    }

    private CaptureReadStatus Fail(CaptureReadStatus status, long offset, string message)
    {
        _final = status;
        Error = message;
        ErrorOffset = offset;
        return status;
    }

    private CaptureReadStatus End()
    {
        _final = CaptureReadStatus.EndOfCapture;
        return CaptureReadStatus.EndOfCapture;
    }

    private uint U32(int offset) => _bigEndian
        ? BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(offset));

    private ushort U16(int offset) => _bigEndian
        ? BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(offset));

    private ulong U64(int offset) => _bigEndian
        ? BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(offset));

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes into the buffer at <paramref name="offset"/>,
    /// growing the buffer only as real bytes arrive, so that a corrupt length field in a short file
    /// cannot make the reader allocate what the file does not contain.
    /// </summary>
    private int ReadInto(int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int end = offset + total;
            if (end == _buffer.Length)
            {
                int size = (int)Math.Min((long)offset + count, (long)_buffer.Length * 2);
                Array.Resize(ref _buffer, size);
            }

            int n = _stream.Read(_buffer, end, Math.Min(count - total, _buffer.Length - end));
            if (n <= 0)
            {
                break;
            }

            total += n;
            _position += n;
        }

        return total;
    }

    /// <summary>Skips <paramref name="count"/> bytes without buffering them; returns how many were there.</summary>
    private long Skip(long count)
    {
        if (_stream.CanSeek)
        {
            long available = Math.Max(0, _stream.Length - _stream.Position);
            long step = Math.Min(count, available);
            _stream.Seek(step, SeekOrigin.Current);
            _position += step;
            return step;
        }

        long skipped = 0;
        while (skipped < count)
        {
            int n = _stream.Read(_buffer, 0, (int)Math.Min(_buffer.Length, count - skipped));
            if (n <= 0)
            {
                break;
            }

            skipped += n;
            _position += n;
        }

        return skipped;
    }

    /// <summary>
    /// Converts a timestamp in interface units to nanoseconds since the Unix epoch, saturating
    /// instead of overflowing. <paramref name="resolution"/> is the pcapng if_tsresol byte
    /// (draft-ietf-opsawg-pcapng §4.2): 10^-n seconds, or 2^-n seconds when the high bit is set.
    /// </summary>
    internal static long ToNanoseconds(ulong units, byte resolution, long offsetSeconds)
    {
        int n = resolution & 0x7F;
        Int128 ns;
        if ((resolution & 0x80) != 0)
        {
            ns = (Int128)(((UInt128)units * 1_000_000_000UL) >> n);
        }
        else if (n <= 9)
        {
            ns = (Int128)units * Pow10(9 - n);
        }
        else
        {
            ns = n - 9 > 38 ? 0 : (Int128)((UInt128)units / Pow10U(n - 9));
        }

        ns += (Int128)offsetSeconds * 1_000_000_000L;
        return ns > long.MaxValue ? long.MaxValue : ns < long.MinValue ? long.MinValue : (long)ns;
    }

    private static long Pow10(int n)
    {
        long v = 1;
        for (int i = 0; i < n; i++)
        {
            v *= 10;
        }

        return v;
    }

    private static UInt128 Pow10U(int n)
    {
        UInt128 v = 1;
        for (int i = 0; i < n; i++)
        {
            v *= 10;
        }

        return v;
    }
}
