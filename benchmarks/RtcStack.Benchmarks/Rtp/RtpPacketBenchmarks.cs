using BenchmarkDotNet.Attributes;
using RtcStack.Rtp;

namespace RtcStack.Benchmarks.Rtp;

/// <summary>
/// RTP parse and write as a browser's Opus packets look: 12-byte header, one-byte header
/// extensions (audio level, abs-send-time, transport-wide seq, mid), 80-byte payload.
/// </summary>
[MemoryDiagnoser]
public class RtpPacketBenchmarks
{
    private readonly byte[] _packet = new byte[1500];
    private readonly byte[] _output = new byte[1500];
    private readonly byte[] _payload = new byte[80];
    private int _packetLength;
    private ushort _sequence;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_payload);
        _packetLength = WriteOne(_packet, 1);
    }

    /// <summary>Gets the packet the parse benchmarks read (after <see cref="Setup"/>), for the Pion side of benchmarks/rtp-vs-pion.sh.</summary>
    internal ReadOnlySpan<byte> Packet => _packet.AsSpan(0, _packetLength);

    /// <summary>Gets the 80-byte payload every written packet carries.</summary>
    internal ReadOnlySpan<byte> Payload => _payload;

    /// <summary>Parse the header and locate the payload.</summary>
    [Benchmark]
    public int Parse()
    {
        RtpPacket.TryParse(_packet.AsSpan(0, _packetLength), out RtpPacket packet);
        return packet.SequenceNumber + packet.Payload.Length;
    }

    /// <summary>Parse and read all four header extensions through the typed helpers.</summary>
    [Benchmark]
    public int ParseWithExtensions()
    {
        RtpPacket.TryParse(_packet.AsSpan(0, _packetLength), out RtpPacket packet);
        packet.TryGetHeaderExtensions(out RtpHeaderExtensionReader reader);
        reader.TryGet(1, out ReadOnlySpan<byte> level);
        reader.TryGet(3, out ReadOnlySpan<byte> tw);
        reader.TryGet(4, out ReadOnlySpan<byte> mid);
        AudioLevelExtension.TryRead(level, out _, out byte dbov);
        TransportSequenceNumberExtension.TryRead(tw, out ushort twSeq);
        return dbov + twSeq + (SdesTextExtension.TextEquals(mid, "0") ? 1 : 0) + packet.Payload.Length;
    }

    /// <summary>Write header, four one-byte extensions and the payload.</summary>
    [Benchmark]
    public int WriteWithExtensions() => WriteOne(_output, ++_sequence);

    private int WriteOne(Span<byte> destination, ushort sequence)
    {
        var writer = new RtpPacketWriter(destination);
        writer.TryWriteHeader(new RtpHeader(111, sequence, sequence * 960u, 0x92D8E21A));
        RtpHeaderExtensionWriter ext = writer.BeginHeaderExtension(RtpHeaderExtensionMode.Mixed);
        ext.TryAddAudioLevel(1, true, 30);
        ext.TryAddAbsSendTime(2, 0x123456);
        ext.TryAddTransportSequenceNumber(3, sequence);
        ext.TryAddText(4, "0"u8);
        writer.TryEndHeaderExtension(ext.Finish());
        writer.TryWritePayload(_payload);
        return writer.Length;
    }
}
