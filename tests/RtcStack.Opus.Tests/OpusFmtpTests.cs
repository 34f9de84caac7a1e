using Xunit;

namespace RtcStack.Opus.Tests;

public sealed class OpusFmtpTests
{
    [Fact]
    public void ParsesRfc7587Example2()
    {
        // RFC 7587 §7 example 2 (spaces after ';' as printed there).
        OpusFmtp fmtp = OpusFmtp.Parse("maxplaybackrate=16000; sprop-maxcapturerate=16000; maxaveragebitrate=20000; stereo=1; useinbandfec=1; usedtx=0");
        Assert.Equal(16000, fmtp.MaxPlaybackRate);
        Assert.Equal(16000, fmtp.SpropMaxCaptureRate);
        Assert.Equal(20000, fmtp.MaxAverageBitrate);
        Assert.True(fmtp.Stereo);
        Assert.True(fmtp.UseInbandFec);
        Assert.False(fmtp.UseDtx);
        Assert.Null(fmtp.Cbr);
        Assert.Equal(OpusBandwidth.Wideband, fmtp.MaxBandwidth);
        Assert.Empty(fmtp.IgnoredParameters);
        Assert.Equal("maxplaybackrate=16000;sprop-maxcapturerate=16000;maxaveragebitrate=20000;stereo=1;useinbandfec=1;usedtx=0", fmtp.ToString());
    }

    [Fact]
    public void ParsesABrowserOfferAndAppliesDefaults()
    {
        OpusFmtp fmtp = OpusFmtp.Parse("minptime=10;useinbandfec=1");
        Assert.Equal(10, fmtp.MinPtime);
        Assert.True(fmtp.UseInbandFec);
        Assert.Equal(48000, fmtp.EffectiveMaxPlaybackRate);
        Assert.Equal(48000, fmtp.EffectiveSpropMaxCaptureRate);
        Assert.Equal(20, fmtp.EffectivePtime);
        Assert.Equal(120, fmtp.EffectiveMaxPtime);
        Assert.Equal(OpusBandwidth.Fullband, fmtp.MaxBandwidth);
        Assert.Equal("minptime=10;useinbandfec=1", fmtp.ToString());
    }

    [Fact]
    public void OutOfRangeAndMalformedValuesAreIgnored()
    {
        // RFC 7587 §6.1: maxaveragebitrate outside 6000..510000 SHOULD be ignored; booleans are 0 or 1.
        OpusFmtp fmtp = OpusFmtp.Parse("maxaveragebitrate=5000;maxplaybackrate=96000;stereo=yes;ptime=abc;cbr=1;x-custom=7;flag");
        Assert.Null(fmtp.MaxAverageBitrate);
        Assert.Null(fmtp.MaxPlaybackRate);
        Assert.Null(fmtp.Stereo);
        Assert.Null(fmtp.Ptime);
        Assert.True(fmtp.Cbr);
        Assert.Equal(4, fmtp.IgnoredParameters.Count);
        Assert.Equal(2, fmtp.UnknownParameters.Count);

        // RFC 7587 §7.1: unknown parameters MUST be removed from an answer; kept only on request.
        Assert.Equal("cbr=1", fmtp.ToString());
        Assert.Equal("cbr=1;x-custom=7;flag", fmtp.Format(includeUnknown: true));
    }

    [Fact]
    public void KeyValuePairsAndCaseInsensitiveNames()
    {
        OpusFmtp fmtp = OpusFmtp.Parse([
            new KeyValuePair<string, string>("MaxPlaybackRate", "8000"),
            new KeyValuePair<string, string>("ptime", "40"),
            new KeyValuePair<string, string>("ptime", "60"),
            new KeyValuePair<string, string>("maxptime", "120"),
            new KeyValuePair<string, string>("sprop-stereo", "1"),
        ]);
        Assert.Equal(8000, fmtp.MaxPlaybackRate);
        Assert.Equal(OpusBandwidth.Narrowband, fmtp.MaxBandwidth);
        Assert.Equal(60, fmtp.Ptime);
        Assert.Equal(120, fmtp.MaxPtime);
        Assert.True(fmtp.SpropStereo);
        List<KeyValuePair<string, string>> written = fmtp.ToParameters();
        Assert.Equal(["ptime", "maxptime", "maxplaybackrate", "sprop-stereo"], written.Select(p => p.Key));
    }

    [Fact]
    public void ParseNeverThrows()
    {
        var random = new Random(8);
        const string alphabet = "=;; 0123456789abcdefghijklmnopqrstuvwxyz-";
        for (int i = 0; i < 2000; i++)
        {
            char[] text = new char[random.Next(60)];
            for (int j = 0; j < text.Length; j++)
            {
                text[j] = alphabet[random.Next(alphabet.Length)];
            }

            OpusFmtp fmtp = OpusFmtp.Parse(new string(text));
            OpusFmtp again = OpusFmtp.Parse(fmtp.ToString());
            Assert.Equal(fmtp.ToString(), again.ToString());
        }

        Assert.Equal("", OpusFmtp.Parse((string?)null).ToString());
    }

    [Fact]
    public void ConfiguresAnEncoderForTheReceiver()
    {
        using var encoder = new OpusEncoder(48000, 2, OpusApplication.Voip);
        OpusFmtp.Parse("maxplaybackrate=16000;maxaveragebitrate=20000;useinbandfec=1;usedtx=1;cbr=1").ConfigureEncoder(encoder, bitrate: 64000);
        Assert.Equal(OpusBandwidth.Wideband, encoder.MaxBandwidth);
        Assert.Equal(20000, encoder.Bitrate);
        Assert.Equal(1, encoder.ForceChannels);
        Assert.True(encoder.InbandFec);
        Assert.True(encoder.Dtx);
        Assert.False(encoder.Vbr);

        OpusFmtp.Parse("stereo=1").ConfigureEncoder(encoder, bitrate: 64000);
        Assert.Equal(OpusEncoder.Auto, encoder.ForceChannels);
        Assert.Equal(64000, encoder.Bitrate);
        Assert.True(encoder.Vbr);
    }
}
