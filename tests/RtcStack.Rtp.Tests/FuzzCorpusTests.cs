using RtcStack.Fuzz;
using RtcStack.Fuzz.Targets;
using RtcStack.Rtp.Rtcp;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Rtp.Tests;

/// <summary>
/// The seed corpus of the RTP/RTCP fuzz targets: valid packets of every type, built with our
/// writers. The files under fuzz/corpus/ must contain these seeds (regenerate them with
/// RTCSTACK_WRITE_FUZZ_CORPUS=1 dotnet test --filter FuzzCorpusTests), and every file there,
/// including inputs the fuzzer added, must run through its target without an exception.
/// </summary>
public class FuzzCorpusTests
{
    private static readonly IFuzzTarget[] s_targets = [new RtpPacketTarget(), new RtpHeaderExtensionTarget(), new RtcpCompoundTarget()];

    public static TheoryData<string> TargetNames() => new(Array.ConvertAll(s_targets, t => t.Name));

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void SeedsAreInTheCorpusAndReplayCleanly(string name)
    {
        IFuzzTarget target = Array.Find(s_targets, t => t.Name == name)!;
        string directory = Path.Combine(RepoPaths.Root, "fuzz", "corpus", name);
        Dictionary<string, byte[]> seeds = Seeds(name);
        if (Environment.GetEnvironmentVariable("RTCSTACK_WRITE_FUZZ_CORPUS") == "1")
        {
            // Writing the seeds and then comparing them with themselves proves nothing: not in CI.
            Assert.False(ExternalTool.IsCI, "RTCSTACK_WRITE_FUZZ_CORPUS=1 regenerates the corpus and makes this test vacuous; it is refused under CI");
            Directory.CreateDirectory(directory);
            foreach ((string file, byte[] bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(directory, file), bytes);
            }
        }

        foreach ((string file, byte[] bytes) in seeds)
        {
            target.Run(bytes);
            string path = Path.Combine(directory, file);
            Assert.True(File.Exists(path), $"{path} missing: regenerate the corpus");
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }

        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            target.Run(File.ReadAllBytes(file));
        }
    }

    [Fact]
    public void TargetsSurviveTruncationsAndBitFlipsOfEverySeed()
    {
        foreach (IFuzzTarget target in s_targets)
        {
            foreach ((_, byte[] seed) in Seeds(target.Name))
            {
                for (int length = 0; length <= seed.Length; length++)
                {
                    target.Run(seed.AsSpan(0, length));
                }

                byte[] copy = (byte[])seed.Clone();
                for (int bit = 0; bit < copy.Length * 8; bit++)
                {
                    copy[bit / 8] ^= (byte)(1 << (bit % 8));
                    target.Run(copy);
                    copy[bit / 8] ^= (byte)(1 << (bit % 8));
                }
            }
        }
    }

    internal static Dictionary<string, byte[]> Seeds(string target) => target switch
    {
        "rtp-packet" => RtpSeeds(),
        "rtp-header-extension" => ExtensionSeeds(),
        "rtcp-compound" => RtcpSeeds(),
        _ => throw new ArgumentException(target),
    };

    private static Dictionary<string, byte[]> RtpSeeds()
    {
        var seeds = new Dictionary<string, byte[]>();
        byte[] buffer = new byte[1500];
        byte[] payload = [0xFC, 0xFF, 0xFE, 1, 2, 3, 4, 5];

        seeds["plain"] = buffer[..RtpPacketWriter.Write(buffer, new RtpHeader(111, 1, 960, 0x11223344), payload)];
        seeds["csrcs"] = buffer[..RtpPacketWriter.Write(buffer, new RtpHeader(96, 65535, uint.MaxValue, 5, Marker: true), payload, [1, 2, 3])];

        var w = new RtpPacketWriter(buffer);
        w.TryWriteHeader(new RtpHeader(111, 0x1234, 0x00BB8000, 0x92D8E21A, Marker: true));
        RtpHeaderExtensionWriter ext = w.BeginHeaderExtension(RtpHeaderExtensionMode.OneByteOnly);
        ext.TryAddAudioLevel(1, true, 42);
        ext.TryAddAbsSendTime(2, 0x123456);
        ext.TryAddTransportSequenceNumber(3, 0x0102);
        ext.TryAddText(4, "0");
        w.TryEndHeaderExtension(ext.Finish());
        w.TryWritePayload(payload);
        seeds["chromium-opus-one-byte-ext"] = w.Written.ToArray();

        w = new RtpPacketWriter(buffer);
        w.TryWriteHeader(new RtpHeader(100, 7, 90000, 9), [42]);
        ext = w.BeginHeaderExtension(RtpHeaderExtensionMode.Mixed);
        ext.TryAddText(10, "rid-high");
        ext.TryAdd(200, new byte[20]);
        w.TryEndHeaderExtension(ext.Finish());
        w.TryWritePayload(payload);
        w.TryWritePadding(7);
        seeds["two-byte-ext-padding"] = w.Written.ToArray();

        w = new RtpPacketWriter(buffer);
        w.TryWriteHeader(new RtpHeader(0, 3, 160, 8));
        w.TryWriteRawHeaderExtension(0x1234, [1, 2, 3, 4]);
        w.TryWritePayload(new byte[160]);
        seeds["raw-extension"] = w.Written.ToArray();
        return seeds;
    }

    private static Dictionary<string, byte[]> ExtensionSeeds()
    {
        var seeds = new Dictionary<string, byte[]>
        {
            ["rfc8285-one-byte"] = Convert.FromHexString("BEDE0003" + "10AA" + "21BBBB" + "0000" + "33CCCCCCCC"),
            ["rfc8285-two-byte"] = Convert.FromHexString("10050003" + "0100" + "0201AA" + "00" + "0304BBBBBBBB" + "0000"),
            ["id15-stop"] = Convert.FromHexString("BEDE0002" + "10AA" + "F0" + "FFFFFFFFFF"),
        };
        byte[] buffer = new byte[300];
        var writer = new RtpHeaderExtensionWriter(buffer, RtpHeaderExtensionMode.OneByteOnly);
        writer.TryAddAudioLevel(1, false, 127);
        writer.TryAddAbsSendTime(2, AbsSendTimeExtension.FromTime(TimeSpan.FromSeconds(12.5)));
        writer.TryAddTransportSequenceNumber(3, 65535);
        writer.TryAddText(4, "audio");
        seeds["browser-audio"] = buffer[..writer.Finish()];

        writer = new RtpHeaderExtensionWriter(buffer, RtpHeaderExtensionMode.TwoByte);
        writer.TryAddText(12, "repair-me");
        writer.TryAdd(255, []);
        writer.TryAdd(33, new byte[255]);
        seeds["two-byte-large"] = buffer[..writer.Finish()];
        return seeds;
    }

    private static Dictionary<string, byte[]> RtcpSeeds()
    {
        var seeds = new Dictionary<string, byte[]>();
        byte[] buffer = new byte[4096];
        RtcpReportBlock block = new(0x55667788, 25, -2, 0x1FFFF, 291, 0xF2C18000, 0x18000);
        var info = new RtcpSenderInfo(new NtpTimestamp(0xE8A5F2C1, 0x80000000), 48000, 300, 20000);

        var c = new RtcpCompoundWriter(buffer);
        c.TryAddSenderReport(1, info, [block]);
        c.TryAddCname(1, "9wR9xkI1JNX3+WYf"u8);
        seeds["sr-sdes"] = c.Written.ToArray();

        c = new RtcpCompoundWriter(buffer);
        c.TryAddReceiverReport(2, [block, block with { Ssrc = 9 }]);
        c.TryAddCname(2, "receiver"u8);
        c.TryAddGoodbye([2, 3], "shutdown"u8);
        seeds["rr-sdes-bye"] = c.Written.ToArray();

        RtcpApplicationDefined.TryWrite(buffer, 3, 4, "TEST"u8, [1, 2, 3, 4], out int n);
        seeds["app"] = buffer[..n];

        var xr = new RtcpExtendedReportWriter(buffer, 5);
        xr.TryAddReceiverReferenceTime(new NtpTimestamp(0xE8A5F2C1, 0x40000000));
        xr.TryAddDlrr([new RtcpDlrrSubBlock(6, 0xF2C14000, 0x8000)]);
        xr.TryFinish(out n);
        seeds["xr-rrtr-dlrr"] = buffer[..n];

        c = new RtcpCompoundWriter(buffer);
        c.TryAddGenericNack(1, 2, [10, 11, 20, 300]);
        c.TryAddPictureLossIndication(1, 2);
        c.TryAddRemb(1, 1_500_000, [2, 3]);
        seeds["rsize-nack-pli-remb"] = c.Written.ToArray();

        RtcpFullIntraRequest.TryWrite(buffer, 1, [new RtcpFirEntry(2, 7)], out n);
        seeds["fir"] = buffer[..n];

        TimeSpan?[] arrivals = new TimeSpan?[40];
        for (int i = 0; i < arrivals.Length; i++)
        {
            arrivals[i] = i % 7 == 3 ? null : TimeSpan.FromMilliseconds(5000 + (i * 5) + (i % 5 == 0 ? 90 : 0));
        }

        TransportWideFeedback.TryWrite(buffer, 1, 2, 65530, 9, arrivals, out n, out _);
        seeds["twcc-mixed"] = buffer[..n];

        arrivals = new TimeSpan?[300];
        for (int i = 0; i < arrivals.Length; i++)
        {
            arrivals[i] = i < 100 || i >= 150 ? TimeSpan.FromMilliseconds(i) : null;
        }

        TransportWideFeedback.TryWrite(buffer, 1, 2, 0, 0, arrivals, out n, out _);
        seeds["twcc-runs"] = buffer[..n];

        TransportWideFeedback.TryWrite(buffer, 1, 2, 7, 1, [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(90), null, TimeSpan.FromMilliseconds(2000)], out n, out _);
        seeds["twcc-negative-large"] = buffer[..n];

        var ccfb = new CongestionControlFeedbackWriter(buffer, 1);
        ccfb.TryAddReportBlock(2, 100, [new CcfbPacketMetric(true, CcfbEcn.Ect0, 512), CcfbPacketMetric.Lost, new CcfbPacketMetric(true, CcfbEcn.Ce, 1)]);
        ccfb.TryAddReportBlock(3, 65535, [new CcfbPacketMetric(true, CcfbEcn.NotEct, CcfbPacketMetric.AtoOverRange), new CcfbPacketMetric(true, CcfbEcn.NotEct, 0)]);
        ccfb.TryFinish(0x12345678, out n);
        seeds["rfc8888"] = buffer[..n];

        // Everything in one compound: SR, SDES, XR, NACK, PLI, REMB, TWCC, RFC 8888, BYE.
        var all = new List<byte>();
        foreach (string key in new[] { "sr-sdes", "xr-rrtr-dlrr", "rsize-nack-pli-remb", "fir", "twcc-mixed", "rfc8888", "app" })
        {
            all.AddRange(seeds[key]);
        }

        seeds["compound-all"] = [.. all];
        return seeds;
    }
}
