using Xunit;

namespace RtcStack.Video.Tests;

/// <summary>
/// Random bytes and mutated valid payloads through the AV1, VP9 and H.265 depacketizers, one stream of them per
/// depacketizer so partial state (fragments) meets garbage: nothing throws, every result is a status or a length
/// that fits the destination, and a refused header is a refused payload.
/// </summary>
public class HostileVideoPayloadTests
{
    public static TheoryData<string> Codecs() => new() { "av1", "vp9", "h265" };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void GarbageAndMutationsReturnAStatus(string codec)
    {
        (IVideoPacketizer packetizer, IVideoDepacketizer depacketizer, byte[] frame) = codec switch
        {
            "av1" => ((IVideoPacketizer)new Av1Packetizer(), (IVideoDepacketizer)new Av1Depacketizer(), Av1.Av1Obus.Concat(
                Av1.Av1Obus.Obu(Av1.Av1Obus.SequenceHeader, Av1.Av1Obus.Fill(10, 1)),
                Av1.Av1Obus.Obu(Av1.Av1Obus.Frame, Av1.Av1Obus.Fill(3000, 2), 1, 0))),
            "vp9" => (new Vp9Packetizer(), new Vp9Depacketizer(), Av1.Av1Obus.Fill(3000, 3)),
            _ => (new H265Packetizer(), new H265Depacketizer(), PacketizerHarness.Hex("00000001 4001 0C01FFFF 00000001 2601 AF")
                .Concat(Enumerable.Range(0, 3000).Select(i => (byte)(i | 1))).ToArray()),
        };
        packetizer.MaxPayloadSize = 300;
        byte[][] valid = PacketizerHarness.Packetize(packetizer, frame, keyFrame: true).Select(p => p.Payload).ToArray();
        var rng = new Random(codec.Length);
        var output = new byte[8192];
        int accepted = 0;
        for (int i = 0; i < 30000; i++)
        {
            byte[] payload;
            if (rng.Next(2) == 0)
            {
                payload = new byte[rng.Next(0, 40)];
                rng.NextBytes(payload);
            }
            else
            {
                payload = (byte[])valid[rng.Next(valid.Length)].Clone();
                for (int m = rng.Next(1, 4); m > 0 && payload.Length > 0; m--)
                {
                    payload[rng.Next(Math.Min(payload.Length, 8))] ^= (byte)(1 << rng.Next(8));
                }

                payload = payload[..rng.Next(payload.Length + 1)];
            }

            if (rng.Next(16) == 0)
            {
                depacketizer.Reset();
            }

            bool header = depacketizer.TryReadHeader(payload, out _);
            int written = depacketizer.WriteFrameData(payload, output.AsSpan(0, rng.Next(output.Length)));
            Assert.InRange(written, -2, output.Length);
            Assert.True(header || written == -1, $"{Convert.ToHexString(payload)}: header refused but {written}");
            accepted += written >= 0 ? 1 : 0;
        }

        Assert.True(accepted > 100, $"only {accepted} payloads accepted: the mutations never reach the writers");
    }
}
