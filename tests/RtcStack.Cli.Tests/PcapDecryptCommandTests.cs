using System.Buffers.Binary;
using System.Net;
using RtcStack.Rtp.Capture;
using RtcStack.Srtp;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary><c>rtcstack pcap decrypt</c> against captures written with known keys.</summary>
public class PcapDecryptCommandTests
{
    private static readonly UdpFlow s_forward = new(IPAddress.Parse("10.0.0.1"), 5000, IPAddress.Parse("10.0.0.2"), 6000);

    [Fact]
    public void Two_keys_decrypt_each_direction_and_failures_are_reported_and_copied()
    {
        const SrtpProfile profile = SrtpProfile.Aes128CmHmacSha1_80;
        byte[] k1 = Material(profile, 1);
        byte[] k2 = Material(profile, 2);
        using var dir = new TempDir();
        var plain = new List<byte[]>();
        var expected = new List<byte[]>();
        using (var tx1 = Context(profile, k1))
        using (var tx2 = Context(profile, k2))
        using (var writer = PcapWriter.Create(dir.File("in.pcap")))
        {
            long t = 1_700_000_000_000_000_000;
            byte[] stun = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
            writer.WriteUdp(t, s_forward, stun);
            expected.Add(stun);
            for (int i = 0; i < 40; i++)
            {
                bool back = i % 2 == 1;
                SrtpContext tx = back ? tx2 : tx1;
                byte[] rtp = Rtp(back ? 0xB0B0B0B0u : 0xA0A0A0A0u, (ushort)(65530 + (i / 2)), 50 + i);
                byte[] wire = new byte[rtp.Length + 64];
                rtp.CopyTo(wire, 0);
                Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(wire, rtp.Length, out int n));
                if (i == 7)
                {
                    wire[20] ^= 0x01;
                    expected.Add(wire[..n]);
                }
                else
                {
                    expected.Add(rtp);
                }

                writer.WriteUdp(t + (i * 20_000_000L), back ? s_forward.Reverse() : s_forward, wire.AsSpan(0, n));
                plain.Add(rtp);
            }

            byte[] rtcp = Rtcp(0xA0A0A0A0u);
            byte[] rwire = new byte[rtcp.Length + 64];
            rtcp.CopyTo(rwire, 0);
            Assert.Equal(SrtpStatus.Ok, tx1.ProtectRtcp(rwire, rtcp.Length, out int rn));
            writer.WriteUdp(t + 1_000_000_000L, s_forward, rwire.AsSpan(0, rn));
            expected.Add(rtcp);
        }

        CliRunner.Result result = CliRunner.Run("pcap", "decrypt", "--profile", "SRTP_AES128_CM_HMAC_SHA1_80",
            "--key", Convert.ToBase64String(k1), "--key", Convert.ToBase64String(k2), dir.File("in.pcap"), dir.File("out.pcap"));
        Assert.True(result.ExitCode == 3, result.Out + result.Err);
        Assert.Contains("0xa0a0a0a0", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"1\s+rtp\s+0xa0a0a0a0\s+\S+ -> \S+\s+20\s+0\s+0\s+0", result.Out);
        Assert.Matches(@"2\s+rtp\s+0xb0b0b0b0\s+\S+ -> \S+\s+19\s+1\s+0\s+0", result.Out);
        Assert.Matches(@"1\s+rtcp\s+0xa0a0a0a0\s+\S+ -> \S+\s+1\s+0\s+0\s+0", result.Out);

        List<byte[]> written = ReadPayloads(dir.File("out.pcap"));
        Assert.Equal(expected.Count, written.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], written[i]);
        }

        CliRunner.Result streams = CliRunner.Run("pcap", "streams", dir.File("out.pcap"));
        Assert.Equal(0, streams.ExitCode);
        Assert.Contains("0xa0a0a0a0", streams.Out, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void One_key_decrypts_gcm_in_both_directions_with_the_roc_given()
    {
        const SrtpProfile profile = SrtpProfile.AeadAes128Gcm;
        byte[] k = Material(profile, 3);
        using var dir = new TempDir();
        var expected = new List<byte[]>();
        using (var tx = Context(profile, k))
        using (var writer = PcapWriter.Create(dir.File("in.pcap")))
        {
            tx.SetRoc(SrtpDirection.Outbound, 0x11111111, 7);
            for (int i = 0; i < 10; i++)
            {
                byte[] rtp = Rtp(0x11111111, (ushort)(40000 + i), 160);
                byte[] wire = new byte[rtp.Length + 64];
                rtp.CopyTo(wire, 0);
                Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(wire, rtp.Length, out int n));
                writer.WriteUdp(1_000_000_000L * (i + 1), i % 2 == 0 ? s_forward : s_forward.Reverse(), wire.AsSpan(0, n));
                expected.Add(rtp);
            }
        }

        CliRunner.Result result = CliRunner.Run("pcap", "decrypt", "--profile", "AEAD_AES_128_GCM", "--key", Convert.ToBase64String(k), "--roc", "7", dir.File("in.pcap"), dir.File("out.pcap"));
        Assert.True(result.ExitCode == 0, result.Out + result.Err);
        Assert.Equal(expected, ReadPayloads(dir.File("out.pcap")));

        // Without the ROC nothing authenticates: exit 3 and the packets stay encrypted.
        CliRunner.Result wrong = CliRunner.Run("pcap", "decrypt", "--profile", "AEAD_AES_128_GCM", "--key", Convert.ToBase64String(k), dir.File("in.pcap"), dir.File("out2.pcap"));
        Assert.Equal(3, wrong.ExitCode);
    }

    [Theory]
    [InlineData("--profile", "AES_CM_129", "--key", "AAAA")]
    [InlineData("--profile", "AES_CM_128_HMAC_SHA1_80", "--key", "AAAA")]
    [InlineData("--profile", "AES_CM_128_HMAC_SHA1_80", "--key", "not base64!")]
    public void Bad_options_exit_2_with_a_message(params string[] options)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("in.pcap"), []);
        CliRunner.Result result = CliRunner.Run(["pcap", "decrypt", .. options, dir.File("in.pcap"), dir.File("out.pcap")]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.Err, StringComparison.Ordinal);
    }

    private static byte[] Material(SrtpProfile profile, int seed)
    {
        var m = new byte[profile.MasterKeyLength() + profile.MasterSaltLength()];
        new Random(seed).NextBytes(m);
        return m;
    }

    private static SrtpContext Context(SrtpProfile profile, byte[] material) =>
        new(profile, material.AsSpan(0, profile.MasterKeyLength()), material.AsSpan(profile.MasterKeyLength()));

    private static byte[] Rtp(uint ssrc, ushort seq, int payload)
    {
        var p = new byte[12 + payload];
        new Random(seq).NextBytes(p);
        p[0] = 0x80;
        p[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        return p;
    }

    private static byte[] Rtcp(uint ssrc)
    {
        var p = new byte[28];
        p[0] = 0x80;
        p[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        return p;
    }

    private static List<byte[]> ReadPayloads(string path)
    {
        var list = new List<byte[]>();
        using CaptureReader reader = CaptureReader.Open(path);
        while (reader.ReadNext(out CaptureRecord record) == CaptureReadStatus.Record)
        {
            Assert.Equal(UdpDissectStatus.Ok, UdpDatagram.TryDissect(record.LinkType, record.Data.Span, out UdpDatagram udp));
            list.Add(udp.Payload.ToArray());
        }

        return list;
    }
}
