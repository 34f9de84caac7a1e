using Xunit;

namespace RtcStack.Video.Tests.Vp8;

/// <summary><see cref="Vp8PayloadDescriptor.TryGetLength"/> (the lean measure the depacketizer uses) agrees with the full parser.</summary>
public sealed class Vp8DescriptorLengthTests
{
    [Fact]
    public void AgreesWithTheFullParserOnEveryShortPayloadAndRandomLongOnes()
    {
        // Every payload of 0-2 bytes, every 3-byte payload whose last byte is 0x00 or 0x80 (the PictureID M bit), and
        // random payloads of 3-8 bytes: length and success must match TryParse.
        var payloads = new List<byte[]> { Array.Empty<byte>() };
        for (int a = 0; a < 256; a++)
        {
            payloads.Add([(byte)a]);
            for (int b = 0; b < 256; b++)
            {
                payloads.Add([(byte)a, (byte)b]);
                payloads.Add([(byte)a, (byte)b, 0x00]);
                payloads.Add([(byte)a, (byte)b, 0x80]);
            }
        }

        var random = new Random(3);
        for (int i = 0; i < 200_000; i++)
        {
            byte[] p = new byte[random.Next(3, 9)];
            random.NextBytes(p);
            p[0] |= (byte)(random.Next(2) << 7);
            payloads.Add(p);
        }

        foreach (byte[] p in payloads)
        {
            bool full = Vp8PayloadDescriptor.TryParse(p, out _, out int fullLength);
            bool lean = Vp8PayloadDescriptor.TryGetLength(p, out int leanLength);
            Assert.True(full == lean && fullLength == leanLength, Convert.ToHexString(p));
        }
    }

    [Fact]
    public void TheOnePassReadAndWriteMatchesReadThenWrite()
    {
        var random = new Random(5);
        var depacketizer = new Vp8Depacketizer();
        IVideoDepacketizer general = depacketizer;
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        for (int i = 0; i < 100_000; i++)
        {
            byte[] p = new byte[random.Next(0, 40)];
            random.NextBytes(p);
            int room = random.Next(0, 64);
            int n1 = general.ReadHeaderAndWriteFrameData(p, a.AsSpan(0, room), out VideoPayloadHeader h1);
            bool ok = depacketizer.TryReadHeader(p, out VideoPayloadHeader h2);
            int n2 = ok ? depacketizer.WriteFrameData(p, b.AsSpan(0, room)) : -1;
            Assert.Equal(n2, n1);
            if (n1 >= 0)
            {
                Assert.Equal(h2, h1);
                Assert.True(a.AsSpan(0, n1).SequenceEqual(b.AsSpan(0, n2)));
            }
        }
    }
}
