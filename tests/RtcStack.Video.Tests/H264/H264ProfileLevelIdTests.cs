using Xunit;

namespace RtcStack.Video.Tests.H264;

public sealed class H264ProfileLevelIdTests
{
    // RFC 6184 §8.1 Table 5, and the values browsers put in their offers.
    [Theory]
    [InlineData("42e01f", H264Profile.ConstrainedBaseline, H264Level.Level3_1)]
    [InlineData("42c01f", H264Profile.ConstrainedBaseline, H264Level.Level3_1)]
    [InlineData("4240 1f", null, null)]
    [InlineData("42401f", H264Profile.ConstrainedBaseline, H264Level.Level3_1)]
    [InlineData("4d801f", H264Profile.ConstrainedBaseline, H264Level.Level3_1)]
    [InlineData("58c01f", H264Profile.ConstrainedBaseline, H264Level.Level3_1)]
    [InlineData("42001f", H264Profile.Baseline, H264Level.Level3_1)]
    [InlineData("42a01f", H264Profile.Baseline, H264Level.Level3_1)]
    [InlineData("58801f", H264Profile.Baseline, H264Level.Level3_1)]
    [InlineData("4d001f", H264Profile.Main, H264Level.Level3_1)]
    [InlineData("4d401f", H264Profile.Main, H264Level.Level3_1)]
    [InlineData("58001f", H264Profile.Extended, H264Level.Level3_1)]
    [InlineData("64001f", H264Profile.High, H264Level.Level3_1)]
    [InlineData("640c1f", H264Profile.ConstrainedHigh, H264Level.Level3_1)]
    [InlineData("640032", H264Profile.High, H264Level.Level5)]
    [InlineData("6e0028", H264Profile.High10, H264Level.Level4)]
    [InlineData("7a0033", H264Profile.High422, H264Level.Level5_1)]
    [InlineData("f4001f", H264Profile.High444, H264Level.Level3_1)]
    [InlineData("6e1028", H264Profile.High10Intra, H264Level.Level4)]
    [InlineData("7a1028", H264Profile.High422Intra, H264Level.Level4)]
    [InlineData("f41028", H264Profile.High444Intra, H264Level.Level4)]
    [InlineData("2c1028", H264Profile.Cavlc444Intra, H264Level.Level4)]
    [InlineData("42E01F", H264Profile.ConstrainedBaseline, H264Level.Level3_1)]
    [InlineData("42f00b", H264Profile.ConstrainedBaseline, H264Level.Level1b)] // constraint_set3 + level_idc 11
    [InlineData("42100b", H264Profile.Baseline, H264Level.Level1b)]
    [InlineData("4d100b", H264Profile.Main, H264Level.Level1b)]
    [InlineData("42e00b", H264Profile.ConstrainedBaseline, H264Level.Level1_1)] // level_idc 11 without constraint_set3
    [InlineData("640009", H264Profile.High, H264Level.Level1b)]                 // level_idc 9
    [InlineData("64100b", null, null)]   // High does not allow constraint_set3
    [InlineData("4d200b", null, null)]   // Main with constraint_set2
    [InlineData("58401f", null, null)]   // Extended 01xx0000: not in the table
    [InlineData("42e80f", null, null)]   // constraint_set4 on Baseline
    [InlineData("420000", null, null)]   // level_idc 0
    [InlineData("42e01", null, null)]
    [InlineData("42e01f0", null, null)]
    [InlineData("42e0zz", null, null)]
    [InlineData("", null, null)]
    [InlineData("ff001f", null, null)]
    public void ParsesTable5(string text, H264Profile? profile, H264Level? level)
    {
        bool ok = H264ProfileLevelId.TryParse(text, out H264ProfileLevelId value);
        Assert.Equal(profile is not null, ok);
        if (ok)
        {
            Assert.Equal(new H264ProfileLevelId(profile!.Value, level!.Value), value);
        }
    }

    [Theory]
    [InlineData(H264Profile.ConstrainedBaseline, H264Level.Level3_1, "42e01f")]
    [InlineData(H264Profile.ConstrainedBaseline, H264Level.Level1b, "42f00b")]
    [InlineData(H264Profile.Baseline, H264Level.Level1b, "42100b")]
    [InlineData(H264Profile.Main, H264Level.Level1b, "4d100b")]
    [InlineData(H264Profile.High, H264Level.Level1b, "640009")]
    [InlineData(H264Profile.ConstrainedHigh, H264Level.Level5_2, "640c34")]
    [InlineData(H264Profile.Main, H264Level.Level3_1, "4d001f")]
    [InlineData(H264Profile.Cavlc444Intra, H264Level.Level1, "2c100a")]
    public void FormatsAsBrowsersWriteIt(H264Profile profile, H264Level level, string expected)
    {
        var value = new H264ProfileLevelId(profile, level);
        Assert.Equal(expected, value.ToString());
        Assert.True(H264ProfileLevelId.TryParse(expected, out H264ProfileLevelId back));
        Assert.Equal(value, back);
        Assert.False(value.TryFormat(new char[5], out _));
    }

    [Fact]
    public void EveryProfileAndLevelRoundTrips()
    {
        foreach (H264Profile profile in Enum.GetValues<H264Profile>())
        {
            foreach (H264Level level in Enum.GetValues<H264Level>())
            {
                var value = new H264ProfileLevelId(profile, level);
                Assert.True(H264ProfileLevelId.TryParse(value.ToString(), out H264ProfileLevelId back), value.ToString());
                Assert.Equal(value, back);
            }
        }
    }

    [Fact]
    public void EveryThreeByteValueParsesOrIsRefusedWithoutThrowing()
    {
        int parsed = 0;
        Span<char> text = stackalloc char[6];
        for (int idc = 0; idc < 256; idc++)
        {
            for (int iop = 0; iop < 256; iop++)
            {
                foreach (int levelIdc in (ReadOnlySpan<int>)[0, 9, 10, 11, 31, 52, 63, 255])
                {
                    ((idc << 16) | (iop << 8) | levelIdc).TryFormat(text, out _, "x6");
                    if (H264ProfileLevelId.TryParse(text, out H264ProfileLevelId value))
                    {
                        parsed++;
                        Assert.True(H264ProfileLevelId.TryParse(value.ToString(), out H264ProfileLevelId again));
                        Assert.Equal(value, again);
                    }
                }
            }
        }

        Assert.True(parsed > 0);
    }

    // 1 < 1b < 1.1 (H.264 Table A-1 puts 1b between them).
    [Fact]
    public void LevelOneBSitsBetweenOneAndOnePointOne()
    {
        Assert.True(H264ProfileLevelId.IsLevelLower(H264Level.Level1, H264Level.Level1b));
        Assert.True(H264ProfileLevelId.IsLevelLower(H264Level.Level1b, H264Level.Level1_1));
        Assert.Equal(H264Level.Level1, H264ProfileLevelId.MinLevel(H264Level.Level1b, H264Level.Level1));
        Assert.Equal(H264Level.Level1b, H264ProfileLevelId.MinLevel(H264Level.Level3_1, H264Level.Level1b));
        Assert.Equal(H264Level.Level3_1, H264ProfileLevelId.MinLevel(H264Level.Level5_1, H264Level.Level3_1));
    }

    // RFC 6184 §8.1 default (Baseline level 1) versus what libwebrtc assumes (Constrained Baseline 3.1).
    [Fact]
    public void AbsentValueDefaultsAsBrowsersDo()
    {
        Assert.Equal("42000a", H264ProfileLevelId.RfcDefault.ToString());
        Assert.True(H264ProfileLevelId.TryParseOrDefault(null, out H264ProfileLevelId value));
        Assert.Equal("42e01f", value.ToString());
        Assert.True(H264ProfileLevelId.IsSameProfile(null, "42c02a"));
        Assert.False(H264ProfileLevelId.IsSameProfile(null, "42001f"));
        Assert.True(H264ProfileLevelId.IsSameProfile("4d0032", "4d001f"));
        Assert.False(H264ProfileLevelId.IsSameProfile("640c1f", "64001f"));
        Assert.False(H264ProfileLevelId.IsSameProfile("zz", "zz"));
    }

    [Fact]
    public void AnswerLevelIsTheMinimumUnlessBothAllowAsymmetry()
    {
        var local = new H264ProfileLevelId(H264Profile.ConstrainedBaseline, H264Level.Level3_1);
        var offerHigh = new H264ProfileLevelId(H264Profile.ConstrainedBaseline, H264Level.Level5_2);
        var offerLow = new H264ProfileLevelId(H264Profile.ConstrainedBaseline, H264Level.Level2);

        Assert.True(H264ProfileLevelId.TryNegotiateAnswer(local, false, offerHigh, false, out H264ProfileLevelId answer));
        Assert.Equal("42e01f", answer.ToString());
        Assert.True(H264ProfileLevelId.TryNegotiateAnswer(local, true, offerLow, false, out answer));
        Assert.Equal("42e014", answer.ToString());

        // level-asymmetry-allowed=1 on both sides: the answer declares what the answerer can receive.
        Assert.True(H264ProfileLevelId.TryNegotiateAnswer(local, true, offerLow, true, out answer));
        Assert.Equal("42e01f", answer.ToString());
        Assert.True(H264ProfileLevelId.TryNegotiateAnswer(local, true, offerHigh, true, out answer));
        Assert.Equal("42e01f", answer.ToString());

        // Different profiles never match, whatever the levels.
        Assert.False(H264ProfileLevelId.TryNegotiateAnswer(local, true, new H264ProfileLevelId(H264Profile.High, H264Level.Level3_1), true, out _));
        Assert.False(H264ProfileLevelId.TryNegotiateAnswer(local, true, new H264ProfileLevelId(H264Profile.Baseline, H264Level.Level3_1), true, out _));
    }
}
