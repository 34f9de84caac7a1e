using FsCheck.Xunit;
using Xunit;

namespace RtcStack.Rtp.Tests;

public class RtpHeaderExtensionTests
{
    private static List<(byte Id, byte[] Value)> ReadAll(RtpHeaderExtensionReader reader)
    {
        var list = new List<(byte, byte[])>();
        foreach (RtpHeaderExtensionElement e in reader)
        {
            list.Add((e.Id, e.Value.ToArray()));
        }

        return list;
    }

    [Fact]
    public void OneByteFormWithPaddingBetweenElements()
    {
        // RFC 8285 §4.2 figure: ID 1 L=0, ID 2 L=1, two padding bytes, ID 3 L=3.
        byte[] block = Convert.FromHexString("BEDE0003" + "10" + "AA" + "21" + "BBBB" + "0000" + "33" + "CCCCCCCC");
        Assert.True(RtpHeaderExtensionReader.TryParseBlock(block, out RtpHeaderExtensionReader reader));
        Assert.Equal(RtpHeaderExtensionForm.OneByte, reader.Form);
        List<(byte Id, byte[] Value)> all = ReadAll(reader);
        Assert.Equal(3, all.Count);
        Assert.Equal((byte)1, all[0].Id);
        Assert.Equal(new byte[] { 0xAA }, all[0].Value);
        Assert.Equal(new byte[] { 0xBB, 0xBB }, all[1].Value);
        Assert.Equal((byte)3, all[2].Id);
        Assert.Equal(new byte[] { 0xCC, 0xCC, 0xCC, 0xCC }, all[2].Value);
    }

    [Fact]
    public void TwoByteFormWithAppBitsAndEmptyElement()
    {
        // RFC 8285 §4.3 figure: ID 1 L=0, ID 2 L=1, one padding byte, ID 3 L=4, then padding.
        byte[] block = Convert.FromHexString("10050003" + "0100" + "0201" + "AA" + "00" + "0304" + "BBBBBBBB" + "0000");
        Assert.True(RtpHeaderExtensionReader.TryParseBlock(block, out RtpHeaderExtensionReader reader));
        Assert.Equal(RtpHeaderExtensionForm.TwoByte, reader.Form);
        Assert.Equal(5, reader.AppBits);
        List<(byte Id, byte[] Value)> all = ReadAll(reader);
        Assert.Equal(3, all.Count);
        Assert.Empty(all[0].Value);
        Assert.Equal(new byte[] { 0xAA }, all[1].Value);
        Assert.Equal(new byte[] { 0xBB, 0xBB, 0xBB, 0xBB }, all[2].Value);
    }

    [Fact]
    public void OneByteId15StopsProcessing()
    {
        // RFC 8285 §4.2: elements before ID 15 are kept, the rest of the block is ignored.
        byte[] block = Convert.FromHexString("BEDE0002" + "10AA" + "F0" + "FFFFFFFFFF");
        Assert.True(RtpHeaderExtensionReader.TryParseBlock(block, out RtpHeaderExtensionReader reader));
        Assert.Single(ReadAll(reader));
        Assert.False(reader.TryGet(15, out _));
    }

    [Theory]
    [InlineData("BEDE0001" + "13AAAAAA")] // one-byte element of 4 bytes, 3 present
    [InlineData("BEDE0001" + "000000" + "10")] // element header at the very end, data missing
    [InlineData("10000001" + "0105AAAA")] // two-byte element of 5 bytes, 2 present
    [InlineData("10000001" + "000000" + "01")] // two-byte element header cut in half
    [InlineData("12340001" + "10AA0000")] // not an RFC 8285 profile
    [InlineData("BEDE0002" + "10AA0000")] // block length overruns the buffer
    public void RejectsMalformedBlocks(string hex)
    {
        Assert.False(RtpHeaderExtensionReader.TryParseBlock(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void OneByteOnlyRefusesElementsThatNeedTwoBytes()
    {
        byte[] buffer = new byte[64];
        var writer = new RtpHeaderExtensionWriter(buffer, RtpHeaderExtensionMode.OneByteOnly);
        Assert.False(writer.TryAdd(15, [1]));
        Assert.False(writer.TryAdd(1, []));
        Assert.False(writer.TryAdd(1, new byte[17]));
        Assert.False(writer.TryAdd(0, [1]));
        Assert.Equal(0, writer.Count);
        Assert.Equal(0, writer.Finish());
    }

    [Fact]
    public void MixedModeUpgradesElementsAlreadyWritten()
    {
        byte[] buffer = new byte[64];
        var writer = new RtpHeaderExtensionWriter(buffer, RtpHeaderExtensionMode.Mixed);
        Assert.True(writer.TryAddAudioLevel(1, false, 127));
        Assert.True(writer.TryAddText(4, "abc"));
        Assert.Equal(RtpHeaderExtensionForm.OneByte, writer.Form);
        Assert.True(writer.TryAdd(20, new byte[20]));
        Assert.Equal(RtpHeaderExtensionForm.TwoByte, writer.Form);
        int length = writer.Finish();
        Assert.Equal("10000008" + "01017F" + "0403616263" + "1414" + new string('0', 40) + "0000",
            Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void MixedModeRefusesUpgradeWithoutRoom()
    {
        byte[] buffer = new byte[4 + 2 + 2 + 3];
        var writer = new RtpHeaderExtensionWriter(buffer, RtpHeaderExtensionMode.Mixed);
        Assert.True(writer.TryAdd(1, [1]));
        Assert.True(writer.TryAdd(2, [2]));
        Assert.False(writer.TryAdd(16, [3]));
        Assert.Equal(RtpHeaderExtensionForm.OneByte, writer.Form);
        Assert.Equal("BEDE0001" + "1001" + "2002", Convert.ToHexString(buffer, 0, writer.Finish()));
    }

    [Fact]
    public void TypedHelpers()
    {
        Assert.Equal(0u, AbsSendTimeExtension.FromTime(TimeSpan.FromSeconds(64)));
        Assert.Equal(1u << 18, AbsSendTimeExtension.FromTime(TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(1.5), AbsSendTimeExtension.ToTime(3u << 17));
        Assert.True(SdesTextExtension.TryReadString("mid\0\0"u8, out string mid));
        Assert.Equal("mid", mid);
        Assert.False(SdesTextExtension.TryRead("\0a"u8, out _));
        Assert.True(SdesTextExtension.TextEquals("video1"u8, "video1"));
        Assert.False(SdesTextExtension.TextEquals("video1"u8, "video2"));
        Assert.False(SdesTextExtension.TextEquals("video"u8, "video1"));
        Assert.True(SdesTextExtension.TextEquals("caf\u00e9"u8, "caf\u00e9"));
        Assert.False(SdesTextExtension.TextEquals("caf\u00e9"u8, "cafe\u0301"));
        Assert.True(SdesTextExtension.TextEquals("0\0\0"u8, "0"));
        Assert.True(CsrcAudioLevelExtension.TryReadLevel([0x10, 0x7F], 1, out byte level));
        Assert.Equal(127, level);
        Assert.False(CsrcAudioLevelExtension.TryReadLevel([0x80], 0, out _));
        Assert.False(CsrcAudioLevelExtension.TryReadLevel([0x10], 1, out _));
    }

    public static (byte Id, byte[] Value)[] Normalize((byte Id, byte[] Value)[] input, bool twoByte)
    {
        var list = new List<(byte, byte[])>();
        foreach ((byte id, byte[] value) in input ?? [])
        {
            byte[] v = value ?? [];
            if (twoByte)
            {
                if (id == 0)
                {
                    continue;
                }

                list.Add((id, v.Length > 255 ? v[..255] : v));
            }
            else
            {
                byte oneId = (byte)((id % 14) + 1);
                byte[] oneV = v.Length == 0 ? [0] : v.Length > 16 ? v[..16] : v;
                list.Add((oneId, oneV));
            }
        }

        return [.. list];
    }

    [Property(MaxTest = 500)]
    public bool RoundTripInEitherForm((byte Id, byte[] Value)[] elements, bool twoByte, bool mixed)
    {
        (byte Id, byte[] Value)[] expected = Normalize(elements, twoByte || mixed);
        byte[] buffer = new byte[4 + (expected.Length * 260) + 4];
        RtpHeaderExtensionMode mode = mixed ? RtpHeaderExtensionMode.Mixed : twoByte ? RtpHeaderExtensionMode.TwoByte : RtpHeaderExtensionMode.OneByteOnly;
        var writer = new RtpHeaderExtensionWriter(buffer, mode);
        foreach ((byte id, byte[] value) in expected)
        {
            if (!writer.TryAdd(id, value))
            {
                return false;
            }
        }

        int length = writer.Finish();
        if (expected.Length == 0)
        {
            return length == 0;
        }

        if (!RtpHeaderExtensionReader.TryParseBlock(buffer.AsSpan(0, length), out RtpHeaderExtensionReader reader))
        {
            return false;
        }

        List<(byte Id, byte[] Value)> actual = ReadAll(reader);
        if (actual.Count != expected.Length || length % 4 != 0)
        {
            return false;
        }

        for (int i = 0; i < actual.Count; i++)
        {
            if (actual[i].Id != expected[i].Id || !actual[i].Value.AsSpan().SequenceEqual(expected[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void TryGetFindsWhatAWalkFinds_ForEveryId_InBlocksOfEveryShape()
    {
        // TryGet answers IDs 1-14 from the table TryParse fills; it must agree with a walk of the elements (the first
        // element with the ID) for every ID 0-255, in valid blocks of both forms with padding, repeated IDs, ID 0
        // padding elements and a one-byte ID 15 that stops processing, and in random bodies.
        var random = new Random(8285);
        int parsed = 0;
        int found = 0;
        for (int round = 0; round < 20_000; round++)
        {
            bool twoByte = random.Next(2) == 0;
            byte[] body = random.Next(4) == 0 ? RandomBytes(random, random.Next(0, 80)) : PlausibleBody(random, twoByte);
            ushort profile = twoByte ? (ushort)(RtpHeaderExtensionReader.TwoByteProfile | random.Next(16)) : RtpHeaderExtensionReader.OneByteProfile;
            if (!RtpHeaderExtensionReader.TryParse(profile, body, out RtpHeaderExtensionReader reader))
            {
                continue;
            }

            parsed++;
            for (int id = 0; id < 256; id++)
            {
                bool walked = false;
                ReadOnlySpan<byte> expected = default;
                foreach (RtpHeaderExtensionElement e in reader)
                {
                    if (e.Id == id)
                    {
                        walked = true;
                        expected = e.Value;
                        break;
                    }
                }

                Assert.Equal(walked, reader.TryGet((byte)id, out ReadOnlySpan<byte> value));
                if (walked)
                {
                    found++;
                    Assert.True(expected.SequenceEqual(value));
                    Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(
                        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(expected),
                        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(value)) || expected.IsEmpty);
                }
            }
        }

        // The generator reaches what the test is about: most blocks parse, and many lookups hit.
        Assert.True(parsed > 12_000, $"only {parsed} blocks parsed");
        Assert.True(found > 50_000, $"only {found} lookups found an element");

        static byte[] RandomBytes(Random random, int length)
        {
            byte[] b = new byte[length];
            random.NextBytes(b);
            return b;
        }

        static byte[] PlausibleBody(Random random, bool twoByte)
        {
            var b = new List<byte>();
            int elements = random.Next(0, 12);
            for (int i = 0; i < elements; i++)
            {
                for (int pad = random.Next(3) == 0 ? random.Next(1, 4) : 0; pad > 0; pad--)
                {
                    b.Add(0);
                }

                if (twoByte)
                {
                    int id = random.Next(4) == 0 ? random.Next(1, 256) : random.Next(1, 16);
                    int length = random.Next(0, 20);
                    b.Add((byte)id);
                    b.Add((byte)length);
                    for (int k = 0; k < length; k++)
                    {
                        b.Add((byte)random.Next(256));
                    }
                }
                else
                {
                    int id = random.Next(20) == 0 ? 15 : random.Next(20) == 0 ? 0 : random.Next(1, 15);
                    int length = random.Next(1, 17);
                    b.Add((byte)((id << 4) | (length - 1)));
                    for (int k = 0; k < length; k++)
                    {
                        b.Add((byte)random.Next(256));
                    }
                }
            }

            return [.. b];
        }
    }

    [Property(MaxTest = 2000)]
    public void ArbitraryBlocksNeverThrow(ushort profile, byte[] body)
    {
        if (RtpHeaderExtensionReader.TryParse(profile, body ?? [], out RtpHeaderExtensionReader reader))
        {
            foreach (RtpHeaderExtensionElement e in reader)
            {
                Assert.True(e.Value.Length <= (body ?? []).Length);
            }
        }
    }
}
