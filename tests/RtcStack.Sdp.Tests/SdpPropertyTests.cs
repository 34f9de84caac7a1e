using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace RtcStack.Sdp.Tests;

public class SdpPropertyTests
{
    [Property(MaxTest = 300)]
    public Property WriteThenParseGivesTheSameModel() =>
        Prop.ForAll(SdpGenerators.Descriptions.ToArbitrary(), sdp =>
        {
            string text = sdp.ToString();
            Assert.True(SessionDescription.TryParse(text, SdpParserOptions.Strict, out SessionDescription? parsed, out SdpParseError error), error + "\n" + text);
            Assert.Empty(parsed.ParseWarnings);
            Assert.Equal(sdp.Origin, parsed.Origin);
            Assert.Equal(sdp.SessionName, parsed.SessionName);
            Assert.Equal(sdp.Lines, parsed.Lines);
            Assert.Equal(sdp.MediaDescriptions.Count, parsed.MediaDescriptions.Count);
            for (int i = 0; i < sdp.MediaDescriptions.Count; i++)
            {
                Assert.Equal(sdp.MediaDescriptions[i].MediaLine, parsed.MediaDescriptions[i].MediaLine);
                Assert.Equal(sdp.MediaDescriptions[i].Lines, parsed.MediaDescriptions[i].Lines);
            }

            Assert.Equal(text, parsed.ToString());
        });

    [Property(MaxTest = 200)]
    public Property Utf8WriterMatchesTheTextWriter() =>
        Prop.ForAll(SdpGenerators.Descriptions.ToArbitrary(), sdp =>
        {
            byte[] expected = Encoding.UTF8.GetBytes(sdp.ToString());
            Assert.Equal(expected.Length, sdp.GetUtf8ByteCount());
            byte[] buffer = new byte[expected.Length];
            Assert.True(sdp.TryFormatUtf8(buffer, out int written));
            Assert.Equal(expected, buffer.AsSpan(0, written).ToArray());
            Assert.True(SessionDescription.TryParse(buffer, SdpParserOptions.Strict, out SessionDescription? parsed, out _));
            Assert.Equal(sdp.ToString(), parsed.ToString());
        });

    [Property(MaxTest = 300)]
    public Property TolerantParsingOfMessedUpTextIsStable() =>
        Prop.ForAll(SdpGenerators.Descriptions.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (sdp, seed) =>
        {
            // Real-stack deviations sprinkled over a valid description: LF endings, trailing spaces, doubled
            // spaces, empty lines, unknown line types. The tolerant parse repairs them; its output parses again
            // with no repair left to make and writes the same text.
            var random = new Random(seed);
            var sb = new StringBuilder();
            foreach (string line in sdp.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                string l = line;
                switch (random.Next(8))
                {
                    case 0: l += " "; break;
                    case 1: l = l.Replace(" ", "  ", StringComparison.Ordinal); break;
                    case 2: sb.Append("\r\n"); break;
                    case 3: sb.Append("y=unknown\r\n"); break;
                }

                sb.Append(l).Append(random.Next(3) == 0 ? "\n" : "\r\n");
            }

            if (!SessionDescription.TryParse(sb.ToString(), out SessionDescription? repaired, out SdpParseError error))
            {
                // Doubling a space inside a free-text field that must not be rewritten (a candidate, an fmtp
                // value) may make it invalid for good; that is a refusal with a reason, never an exception.
                Assert.NotEqual(SdpParseErrorCode.None, error.Code);
                return;
            }

            string written = repaired.ToString();
            SessionDescription again = SessionDescription.Parse(written);
            Assert.Empty(again.ParseWarnings);
            Assert.Equal(written, again.ToString());
        });

    [Property(MaxTest = 500)]
    public Property RtpMapRoundTrips() => RoundTrip(SdpGenerators.RtpMaps, RtpMap.TryParse);

    [Property(MaxTest = 500)]
    public Property ExtMapRoundTrips() => RoundTrip(SdpGenerators.ExtMaps, ExtMap.TryParse);

    [Property(MaxTest = 500)]
    public Property RtcpFeedbackRoundTrips() => RoundTrip(SdpGenerators.Feedback, RtcpFeedback.TryParse);

    [Property(MaxTest = 500)]
    public Property SsrcAttributeRoundTrips() => RoundTrip(SdpGenerators.Ssrcs, SsrcAttribute.TryParse);

    [Property(MaxTest = 300)]
    public Property SsrcGroupRoundTrips() => RoundTrip(SdpGenerators.SsrcGroups, SsrcGroup.TryParse);

    [Property(MaxTest = 300)]
    public Property GroupRoundTrips() => RoundTrip(SdpGenerators.Groups, SdpGroup.TryParse);

    [Property(MaxTest = 300)]
    public Property MsidRoundTrips() => RoundTrip(SdpGenerators.Msids, Msid.TryParse);

    [Property(MaxTest = 300)]
    public Property FingerprintRoundTripsAndKeepsItsBytes() =>
        Prop.ForAll(SdpGenerators.Fingerprints.ToArbitrary(), fp =>
        {
            Assert.True(SdpFingerprint.TryParse(fp.ToString(), out SdpFingerprint? parsed));
            Assert.Equal(fp, parsed);
            Assert.Equal(SdpFingerprint.FromHash(fp.HashFunction, parsed.GetHashBytes()), fp);
            Assert.True(fp.Matches(new SdpFingerprint(fp.HashFunction.ToUpperInvariant(), fp.Value.ToLowerInvariant())));
        });

    [Property(MaxTest = 300)]
    public Property RidRoundTrips() => RoundTrip(SdpGenerators.Rids, Rid.TryParse);

    [Property(MaxTest = 300)]
    public Property SimulcastRoundTrips() => RoundTrip(SdpGenerators.Simulcasts, Simulcast.TryParse);

    [Property(MaxTest = 300)]
    public Property MediaLineRoundTrips() =>
        Prop.ForAll(SdpGenerators.MediaLines.ToArbitrary(), line =>
        {
            Assert.True(SdpMediaLine.TryParse(line.ToString(), out SdpMediaLine? parsed));
            Assert.Equal(line.Media, parsed.Media);
            Assert.Equal(line.Port, parsed.Port);
            Assert.Equal(line.PortCount, parsed.PortCount);
            Assert.Equal(line.Protocol, parsed.Protocol);
            Assert.Equal(line.Formats, parsed.Formats);
            Assert.Equal(line, parsed);
        });

    [Property(MaxTest = 300)]
    public Property FormatParametersRoundTripAsKeyValues() =>
        Prop.ForAll(
            (from n in SdpGenerators.Word("abcdefghijklmnopqrstuvwxyz-", 1, 12) from v in SdpGenerators.Word("0123456789abc/", 1, 6) select new FormatParameter(n, v))
                .NonEmptyListOf().ToArbitrary(),
            parameters =>
            {
                FormatParameters fmtp = FormatParameters.Create("111", parameters);
                Assert.True(FormatParameters.TryParse(fmtp.ToString(), out FormatParameters? parsed));
                Assert.Equal(parameters, parsed.GetParameters());
            });

    [Property(MaxTest = 300)]
    public Property DirectionAnswerRulesHold() =>
        Prop.ForAll(
            Gen.Elements(Enum.GetValues<MediaDirection>()).ToArbitrary(),
            Gen.Elements(Enum.GetValues<MediaDirection>()).ToArbitrary(),
            (offered, wanted) =>
            {
                MediaDirection answer = offered.AnswerTo(wanted);
                Assert.False(answer.Sends() && !offered.Receives());
                Assert.False(answer.Receives() && !offered.Sends());
                Assert.False(answer.Sends() && !wanted.Sends());
                Assert.Equal(offered, offered.Reverse().Reverse());
                Assert.True(MediaDirectionExtensions.TryParseMediaDirection(offered.ToSdpString(), out MediaDirection back));
                Assert.Equal(offered, back);
            });

    private delegate bool Parser<T>(ReadOnlySpan<char> value, out T? result);

    private static Property RoundTrip<T>(Gen<T> gen, Parser<T> parse)
        where T : class =>
        Prop.ForAll(gen.ToArbitrary(), value =>
        {
            string text = value.ToString()!;
            Assert.True(parse(text, out T? parsed), text);
            Assert.Equal(value, parsed);
            Assert.Equal(text, parsed!.ToString());

            // And as a whole line through the parser's validation.
            SdpLine line = (SdpLine)typeof(T).GetMethod("ToLine")!.Invoke(value, null)!;
            Assert.True(SessionDescription.TryParse("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n" + line + "\r\n", out _, out SdpParseError error), error.ToString());
        });
}
