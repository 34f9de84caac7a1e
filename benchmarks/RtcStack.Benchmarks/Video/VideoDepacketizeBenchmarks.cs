using BenchmarkDotNet.Attributes;
using RtcStack.Video;

namespace RtcStack.Benchmarks.Video;

/// <summary>
/// "Depacketize plus frame assembly per packet" (issue 13): every packet of a 300-frame stream (10 s at 30 fps, a key
/// frame every 30, 1,200-byte payloads) goes through <see cref="VideoFrameAssembler.Insert(ushort, uint, bool, ReadOnlySpan{byte})"/>
/// (payload copied into the window, payload header read, continuity tracked, complete frames written in decoder form
/// into the reusable frame buffer) and its events are drained. One operation is one pass over all packets (the count
/// depends on the input, so it cannot be BenchmarkDotNet's OperationsPerInvoke): time per packet = Mean / packets, the
/// count printed at setup and by the Pion program. Sequence numbers and
/// timestamps move on with every pass so that the window sees a continuing stream. The Pion side of the comparison is
/// benchmarks/pion-video, run on the same packets by benchmarks/video-vs-pion.sh.
/// </summary>
[MemoryDiagnoser]
public abstract class VideoDepacketizeBenchmarks
{
    private VideoBenchmarkPacket[] _packets = [];
    private VideoFrameAssembler _assembler = null!;
    private ushort _seqOffset;
    private uint _tsOffset;

    /// <summary>Gets the number of packets in one pass.</summary>
    public int PacketsPerPass => _packets.Length;

    /// <summary>Gets the frames completed so far (checked after setup so a broken input cannot pass as fast).</summary>
    public long FramesCompleted => _assembler.FramesCompleted;

    protected abstract VideoCodec Codec { get; }

    protected abstract IVideoDepacketizer CreateDepacketizer();

    [GlobalSetup]
    public void Setup()
    {
        _packets = VideoBenchmarkInput.Load(Codec, out string source);
        _assembler = new VideoFrameAssembler(CreateDepacketizer(), windowSize: 512, maxPayloadSize: 1500);
        Console.WriteLine($"// {Codec}: {_packets.Length} packets from {source}");
        long before = _assembler.FramesCompleted;
        Pass();
        if (_assembler.FramesCompleted - before < 299 || _assembler.FramesDropped > 0)
        {
            throw new InvalidOperationException($"{Codec}: one pass completed {_assembler.FramesCompleted - before} frames and dropped {_assembler.FramesDropped}");
        }
    }

    protected long Pass()
    {
        long bytes = 0;
        VideoBenchmarkPacket[] packets = _packets;
        VideoFrameAssembler assembler = _assembler;
        for (int i = 0; i < packets.Length; i++)
        {
            ref readonly VideoBenchmarkPacket p = ref packets[i];
            assembler.Insert((ushort)(p.SequenceNumber + _seqOffset), p.Timestamp + _tsOffset, p.Marker, p.Payload);
            while (assembler.TryPollEvent(out VideoAssemblerEvent e))
            {
                bytes += e.Length;
            }
        }

        _seqOffset += (ushort)packets.Length;
        _tsOffset += 10 * 90000;
        return bytes;
    }
}

/// <summary>VP8 (RFC 7741) depacketize + frame assembly, per packet.</summary>
public class Vp8DepacketizeBenchmarks : VideoDepacketizeBenchmarks
{
    protected override VideoCodec Codec => VideoCodec.Vp8;

    [Benchmark(Description = "VP8 depacketize + assemble (per pass; divide by packets)")]
    public long DepacketizeAndAssemble() => Pass();

    protected override IVideoDepacketizer CreateDepacketizer() => new Vp8Depacketizer();
}

/// <summary>H.264 (RFC 6184) depacketize + frame assembly, per packet.</summary>
public class H264DepacketizeBenchmarks : VideoDepacketizeBenchmarks
{
    protected override VideoCodec Codec => VideoCodec.H264;

    [Benchmark(Description = "H.264 depacketize + assemble (per pass; divide by packets)")]
    public long DepacketizeAndAssemble() => Pass();

    protected override IVideoDepacketizer CreateDepacketizer() => new H264Depacketizer();
}

/// <summary>AV1 (AV1 RTP §4.4-§5) depacketize + frame assembly, per packet: OBU elements joined into a low-overhead bitstream with obu_size.</summary>
public class Av1DepacketizeBenchmarks : VideoDepacketizeBenchmarks
{
    protected override VideoCodec Codec => VideoCodec.Av1;

    [Benchmark(Description = "AV1 depacketize + assemble (per pass; divide by packets)")]
    public long DepacketizeAndAssemble() => Pass();

    protected override IVideoDepacketizer CreateDepacketizer() => new Av1Depacketizer();
}

/// <summary>
/// The floor under any assembler that hands the decoder one contiguous frame: each VP8 payload's data (after its
/// descriptor, found with the same parser) copied once into a reusable frame buffer, in arrival order, nothing else.
/// This is the work the Pion side of the comparison does per packet (Unmarshal, one append), measured in .NET in the
/// same run, so the ratio to it says how much of our time is the copy itself.
/// </summary>
[MemoryDiagnoser]
public class Vp8CopyFloorBenchmarks
{
    private VideoBenchmarkPacket[] _packets = [];
    private byte[] _frame = new byte[1 << 20];

    /// <summary>Gets the number of packets in one pass.</summary>
    public int PacketsPerPass => _packets.Length;

    [GlobalSetup]
    public void Setup()
    {
        _packets = VideoBenchmarkInput.Load(VideoCodec.Vp8, out string source);
        Console.WriteLine($"// Vp8 copy floor: {_packets.Length} packets from {source}");
    }

    [Benchmark(Description = "VP8 descriptor + one copy into the frame (per pass; divide by packets)")]
    public long CopyOnce()
    {
        long bytes = 0;
        int offset = 0;
        VideoBenchmarkPacket[] packets = _packets;
        for (int i = 0; i < packets.Length; i++)
        {
            ref readonly VideoBenchmarkPacket p = ref packets[i];
            if (!Vp8PayloadDescriptor.TryParse(p.Payload, out _, out int length))
            {
                continue;
            }

            ReadOnlySpan<byte> data = p.Payload.AsSpan(length);
            data.CopyTo(_frame.AsSpan(offset));
            offset += data.Length;
            if (p.Marker)
            {
                bytes += offset;
                offset = 0;
            }
        }

        return bytes;
    }
}
