using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RtcStack.Opus.Ogg;
using RtcStack.TestSupport;

namespace RtcStack.Benchmarks.Opus;

/// <summary>
/// One Ogg page of 50 Opus-sized packets (80–160 bytes, one second of 20 ms packets): writing it
/// (packets in, page with lacing, granule and CRC out) and reading it (capture, CRC check, packets
/// out), ours against libogg 1.3 in the same run (baseline).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class OggPageBenchmarks
{
    private const int Packets = 50;
    private readonly byte[][] _packets = new byte[Packets][];
    private readonly byte[] _output = new byte[OggPage.MaxPageLength];
    private readonly MemoryStream _sink = new(new byte[1 << 20], 0, 1 << 20, writable: true, publiclyVisible: true);
    private byte[] _page = [];
    private byte* _streamState;
    private byte* _readStreamState;
    private byte* _syncState;
    private OggOpusWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        LibOggReference.Require();
        var random = new Random(7845);
        for (int i = 0; i < Packets; i++)
        {
            _packets[i] = new byte[random.Next(80, 161)];
            random.NextBytes(_packets[i]);
            _packets[i][0] = 0xF8; // CELT FB 20 ms code 0
        }

        _streamState = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(LibOggReference.StateSize);
        _readStreamState = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(LibOggReference.StateSize);
        _syncState = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(LibOggReference.StateSize);
        LibOggReference.StreamInit(_streamState, 1234);
        LibOggReference.StreamInit(_readStreamState, 1234);
        LibOggReference.SyncInit(_syncState);

        // libogg puts only the first packet on a stream's first page (the Ogg header convention):
        // get past it once, as a real stream's OpusHead page would.
        byte* head = stackalloc byte[19];
        var first = new LibOggReference.OggPacket { Packet = head, Bytes = 19, BeginningOfStream = 1 };
        LibOggReference.StreamPacketIn(_streamState, &first);
        LibOggReference.OggPage headPage;
        LibOggReference.StreamFlush(_streamState, &headPage);

        _page = new byte[OggPage.MaxPageLength];
        int length = WriteLibogg();
        _page = _output[..length];
        _writer = new OggOpusWriter(_sink, new OggOpusWriterOptions { SerialNumber = 1234, MaxPageDuration = TimeSpan.FromHours(1) }, leaveOpen: true);

        // Both sides must handle the same single page of all 50 packets.
        long total = 0;
        foreach (byte[] p in _packets)
        {
            total += p.Length;
        }

        if (ReadOurs() != total || ReadLibogg() != total || WriteOurs() != _page.Length)
        {
            throw new InvalidOperationException("benchmark setup: pages differ from expectations");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LibOggReference.StreamClear(_streamState);
        LibOggReference.StreamClear(_readStreamState);
        LibOggReference.SyncClear(_syncState);
        System.Runtime.InteropServices.NativeMemory.Free(_streamState);
        System.Runtime.InteropServices.NativeMemory.Free(_readStreamState);
        System.Runtime.InteropServices.NativeMemory.Free(_syncState);
    }

    [Benchmark(Baseline = true, Description = "write: libogg packetin x50 + flush_fill")]
    [BenchmarkCategory("write")]
    public int WriteLibogg()
    {
        LibOggReference.OggPacket packet = default;
        for (int i = 0; i < Packets; i++)
        {
            fixed (byte* data = _packets[i])
            {
                packet.Packet = data;
                packet.Bytes = _packets[i].Length;
                packet.GranulePosition = (i + 1) * 960;
                packet.PacketNumber = i;
                LibOggReference.StreamPacketIn(_streamState, &packet);
            }
        }

        LibOggReference.OggPage page;
        LibOggReference.StreamFlushFill(_streamState, &page, OggPage.MaxPageLength);
        new ReadOnlySpan<byte>(page.Header, (int)page.HeaderLength).CopyTo(_output);
        new ReadOnlySpan<byte>(page.Body, (int)page.BodyLength).CopyTo(_output.AsSpan((int)page.HeaderLength));
        return (int)(page.HeaderLength + page.BodyLength);
    }

    [Benchmark(Description = "write: OggOpusWriter.WritePacket x50 + Flush")]
    [BenchmarkCategory("write")]
    public long WriteOurs()
    {
        _sink.Position = 0;
        for (int i = 0; i < Packets; i++)
        {
            _writer.WritePacket(_packets[i]);
        }

        _writer.Flush();
        return _sink.Position;
    }

    [Benchmark(Baseline = true, Description = "read: libogg sync_pageout + pagein + packetout x50")]
    [BenchmarkCategory("read")]
    public long ReadLibogg()
    {
        byte* buffer = LibOggReference.SyncBuffer(_syncState, _page.Length);
        _page.AsSpan().CopyTo(new Span<byte>(buffer, _page.Length));
        LibOggReference.SyncWrote(_syncState, _page.Length);
        LibOggReference.OggPage page;
        long sum = 0;
        if (LibOggReference.SyncPageOut(_syncState, &page) == 1)
        {
            LibOggReference.StreamReset(_readStreamState);
            LibOggReference.StreamPageIn(_readStreamState, &page);
            LibOggReference.OggPacket packet;
            while (LibOggReference.StreamPacketOut(_readStreamState, &packet) == 1)
            {
                sum += packet.Bytes;
            }
        }

        return sum;
    }

    [Benchmark(Description = "read: OggPage.Read + segments")]
    [BenchmarkCategory("read")]
    public long ReadOurs()
    {
        long sum = 0;
        if (OggPage.Read(_page, out OggPage page, out _) == OggPageStatus.Valid)
        {
            foreach (OggPacketPiece piece in page.GetSegments())
            {
                sum += piece.Data.Length;
            }
        }

        return sum;
    }
}
