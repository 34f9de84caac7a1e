using System.Buffers.Binary;
using RtcStack.Benchmarks.Rtp;
using RtcStack.Benchmarks.Stun;

namespace RtcStack.Benchmarks;

/// <summary>
/// Writes the exact bytes the RTP, RTCP and STUN benchmarks work on, for the Pion side of benchmarks/rtp-vs-pion.sh
/// (benchmarks/pion-rtp), so both sides parse and write identical packets: <c>rtp.bin</c> (the Opus packet with four
/// one-byte extensions; RtpPacketBenchmarks), <c>rtcp-compound.bin</c> and <c>twcc.bin</c> (RtcpBenchmarks),
/// <c>twcc-arrivals.bin</c> (per packet from base sequence 1000: arrival in microseconds, or -1 when lost; int64
/// little-endian), <c>stun-request.bin</c> and <c>stun-key.bin</c> (StunBindingBenchmarks).
/// </summary>
internal static class PionInputs
{
    public static void Export(string dir)
    {
        Directory.CreateDirectory(dir);
        var rtp = new RtpPacketBenchmarks();
        rtp.Setup();
        File.WriteAllBytes(Path.Combine(dir, "rtp.bin"), rtp.Packet.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "rtp-payload.bin"), rtp.Payload.ToArray());

        var rtcp = new RtcpBenchmarks();
        rtcp.Setup();
        File.WriteAllBytes(Path.Combine(dir, "rtcp-compound.bin"), rtcp.Compound.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "twcc.bin"), rtcp.Twcc.ToArray());
        ReadOnlySpan<TimeSpan?> arrivals = rtcp.Arrivals;
        byte[] times = new byte[arrivals.Length * 8];
        for (int i = 0; i < arrivals.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(times.AsSpan(i * 8), arrivals[i] is TimeSpan t ? t.Ticks / 10 : -1);
        }

        File.WriteAllBytes(Path.Combine(dir, "twcc-arrivals.bin"), times);

        var stun = new StunBindingBenchmarks();
        stun.Setup();
        File.WriteAllBytes(Path.Combine(dir, "stun-request.bin"), stun.Request.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "stun-key.bin"), StunBindingBenchmarks.Key.ToArray());
        Console.WriteLine($"wrote the benchmark inputs to {dir}");
    }
}
