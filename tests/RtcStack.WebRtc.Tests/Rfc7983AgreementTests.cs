using RtcStack.Rtp.Capture;
using RtcStack.Stun;
using Xunit;

namespace RtcStack.WebRtc.Tests;

/// <summary>The session's demultiplexer and the capture classifier apply one RFC 7983 rule.</summary>
public sealed class Rfc7983AgreementTests
{
    [Fact]
    public void TheSessionAndCaptureClassifiersAgreeOnEveryFirstTwoBytes()
    {
        // Every first and second byte, followed by a tail that makes a well-formed RTP header and a plausible RTCP
        // length. The capture classifier may still call a datagram "other" when its header does not hold together
        // (that is its extra check); it must never name a different kind.
        byte[] datagram = new byte[64];
        int compared = 0, comparedRtpRange = 0;
        for (int b0 = 0; b0 < 256; b0++)
        {
            for (int b1 = 0; b1 < 256; b1++)
            {
                datagram[0] = (byte)b0;
                datagram[1] = (byte)b1;
                datagram[3] = 1; // RTCP length: 2 words, fits
                PacketKind session = PacketDemultiplexer.Classify(datagram);
                DatagramKind capture = DatagramClassifier.Classify(datagram);
                DatagramKind expected = session switch
                {
                    PacketKind.Stun => DatagramKind.Stun,
                    PacketKind.Zrtp => DatagramKind.Zrtp,
                    PacketKind.Dtls => DatagramKind.Dtls,
                    PacketKind.TurnChannelData => DatagramKind.TurnChannel,
                    PacketKind.Rtp => DatagramKind.Rtp,
                    PacketKind.Rtcp => DatagramKind.Rtcp,
                    _ => DatagramKind.Other,
                };
                if (capture != DatagramKind.Other || expected is not (DatagramKind.Rtp or DatagramKind.Rtcp))
                {
                    Assert.True(expected == capture, $"first bytes {b0} {b1}: session {session}, capture {capture}");
                    compared++;
                    comparedRtpRange += b0 is >= 128 and <= 191 ? 1 : 0;
                }
            }
        }

        // Every first byte outside 128-191 was compared for every second byte; inside it, every datagram whose RTP or
        // RTCP header held together (57,248 in all when written).
        Assert.Equal((192 * 256) + comparedRtpRange, compared);
        Assert.True(comparedRtpRange >= 4096, $"only {comparedRtpRange} RTP/RTCP datagrams compared");

        // The case the two used to disagree on: a second byte of 64-95 is RTP (marker clear, payload type 64-95).
        byte[] pt72 = [0x80, 72, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        Assert.Equal(PacketKind.Rtp, PacketDemultiplexer.Classify(pt72));
        Assert.Equal(DatagramKind.Rtp, DatagramClassifier.Classify(pt72));
    }
}
