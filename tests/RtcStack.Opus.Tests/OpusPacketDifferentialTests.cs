using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Opus.Tests;

/// <summary>Our RFC 6716 §3 parser against libopus 1.3.1 on the same bytes.</summary>
public sealed unsafe class OpusPacketDifferentialTests
{
    private const int RandomPackets = 30_000;

    [Fact]
    public void ParserAgreesWithLibopusOnRandomPackets()
    {
        LibOpusReference.Require();
        var random = new Random(6716);
        int valid = 0;
        for (int n = 0; n < RandomPackets; n++)
        {
            byte[] packet = PacketGenerator.Next(random);
            valid += Compare(packet) ? 1 : 0;
        }

        // The generator must exercise both outcomes in earnest.
        Assert.True(valid > RandomPackets / 10 && valid < RandomPackets * 9 / 10, $"{valid} valid of {RandomPackets}");
    }

    [Fact]
    public void ParserAgreesWithLibopusOnEncodedPackets()
    {
        LibOpusReference.Require();
        int count = 0;
        foreach (byte[] packet in EncodedPackets())
        {
            Assert.True(Compare(packet), $"packet {Convert.ToHexString(packet)} not valid");
            count++;
        }

        Assert.Equal(3 * 2 * 7 * 12, count);
    }

    /// <summary>Real packets: every application, several frame sizes, bitrates, mono and stereo, DTX and FEC.</summary>
    internal static IEnumerable<byte[]> EncodedPackets()
    {
        var random = new Random(7587);
        var packet = new byte[OpusEncoder.MaxPacketSize];
        foreach (OpusApplication app in new[] { OpusApplication.Voip, OpusApplication.Audio, OpusApplication.RestrictedLowDelay })
        {
            foreach (int channels in new[] { 1, 2 })
            {
                foreach (int frameMs10 in new[] { 25, 50, 100, 200, 400, 600, 1200 })
                {
                    using var encoder = new OpusEncoder(48000, channels, app);
                    encoder.Bitrate = random.Next(6000, 256000);
                    encoder.InbandFec = random.Next(2) == 0;
                    encoder.PacketLossPercentage = 10;
                    encoder.Dtx = random.Next(2) == 0;
                    int frame = 48 * frameMs10 / 10;
                    var pcm = new short[frame * channels];
                    for (int k = 0; k < 12; k++)
                    {
                        Signals.FillSpeechLike(pcm, channels, 48000, k * frame, silent: k % 5 == 4);
                        int length = encoder.Encode(pcm, packet);
                        yield return packet.AsSpan(0, length).ToArray();
                    }
                }
            }
        }
    }

    private static bool Compare(byte[] packet)
    {
        int[] offsets = new int[48];
        short[] sizes = new short[48];
        int expected = LibOpusReference.Parse(packet, out byte toc, offsets, sizes, out int payloadOffset);
        OpusPacketStatus status = OpusPacket.Parse(packet, out OpusPacket parsed);
        string hex = Convert.ToHexString(packet.AsSpan(0, Math.Min(packet.Length, 16)));
        Assert.True((expected > 0) == (status == OpusPacketStatus.Valid), $"libopus {expected}, ours {status}, packet {packet.Length} bytes {hex}");

        fixed (byte* p = packet)
        {
            int nbFrames = LibOpusReference.PacketGetNbFrames(p, packet.Length);
            int ours = OpusPacket.GetFrameCount(packet);
            Assert.Equal(nbFrames < 0 ? -1 : nbFrames, ours);
            int nbSamples = LibOpusReference.PacketGetNbSamples(p, packet.Length, 48000);
            if (nbSamples > 0)
            {
                Assert.Equal(nbSamples, OpusPacket.GetSampleCount(packet));
            }
            else
            {
                // libopus returns 0 for a code 3 count of 0 where we return -1; both mean "no audio".
                Assert.True(OpusPacket.GetSampleCount(packet) <= 0);
            }
        }

        if (status != OpusPacketStatus.Valid)
        {
            return false;
        }

        Assert.Equal(toc, parsed.Toc.Value);
        Assert.Equal(expected, parsed.FrameCount);
        Assert.Equal(payloadOffset, parsed.HeaderLength);
        for (int i = 0; i < expected; i++)
        {
            Assert.Equal(sizes[i], parsed.GetFrameLength(i));
            Assert.Equal(offsets[i], parsed.HeaderLength + SumBefore(sizes, i));
        }

        return true;
    }

    private static int SumBefore(short[] sizes, int index)
    {
        int sum = 0;
        for (int i = 0; i < index; i++)
        {
            sum += sizes[i];
        }

        return sum;
    }
}
