using BenchmarkDotNet.Attributes;
using RtcStack.Video;

namespace RtcStack.Benchmarks.Video;

/// <summary>
/// AV1 depacketization per RTP packet (AV1 RTP §4.4-§5), the receive path issue 13 compares with Pion's codec:
/// a 30 KB temporal unit as a browser sends it (sequence header, frame header, one large tile group fragmented over
/// 1,100-byte payloads, a small frame of another layer), each payload's header read and its frame data written
/// with obu_size put back. Reported per packet; the target is 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class Av1Benchmarks
{
    private readonly Av1Depacketizer _depacketizer = new();
    private readonly byte[] _frame = new byte[64 * 1024];
    private byte[][] _payloads = [];

    /// <summary>Gets the number of payloads the temporal unit was cut into (the OperationsPerInvoke below).</summary>
    public const int PacketCount = 29;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        byte[] tileGroup = new byte[30_000];
        rng.NextBytes(tileGroup);
        byte[] unit =
        [
            0x12, 0x00, // temporal delimiter (dropped by the packetizer)
            0x0A, 0x0B, .. new byte[11], // sequence header, 11 bytes
            0x1E, 0x00, 0x0A, .. new byte[10], // frame header, temporal 0 spatial 0
            0x26, 0x00, 0xB0, 0xEA, 0x01, .. tileGroup, // tile group, 30,000 bytes
            0x36, 0x08, 0x64, .. new byte[100], // frame, spatial 1
        ];
        var packetizer = new Av1Packetizer { MaxPayloadSize = 1100 };
        if (packetizer.Push(unit, keyFrame: true) != VideoPacketizeStatus.Ok)
        {
            throw new InvalidOperationException("the benchmark's temporal unit was refused");
        }

        var payloads = new List<byte[]>();
        var buffer = new byte[1100];
        while (packetizer.TryPoll(buffer, out VideoRtpPayload payload))
        {
            payloads.Add(buffer[..payload.Length]);
        }

        if (payloads.Count != PacketCount)
        {
            throw new InvalidOperationException($"expected {PacketCount} payloads, got {payloads.Count}");
        }

        _payloads = [.. payloads];
    }

    /// <summary>Reads each payload's header and writes its frame data, one temporal unit per invocation.</summary>
    [Benchmark(OperationsPerInvoke = PacketCount)]
    public int DepacketizePerPacket()
    {
        _depacketizer.Reset();
        int length = 0;
        foreach (byte[] payload in _payloads)
        {
            _depacketizer.TryReadHeader(payload, out VideoPayloadHeader header);
            length += _depacketizer.WriteFrameData(payload, _frame.AsSpan(length)) + (header.KeyFrame ? 1 : 0);
        }

        return length;
    }
}
