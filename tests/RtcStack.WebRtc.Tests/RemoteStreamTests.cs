using Xunit;

namespace RtcStack.WebRtc.Tests;

public sealed class RemoteStreamTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RetransmissionsFarBehindAreLateNotARestartWhenNackIsOn(bool nack)
    {
        // Packets 0-520, of which 200-399 were lost at first; the resent ones come back, in order, once the highest is
        // 520, so 121-320 behind it: inside a 450-packet NACK window, outside RFC 3550's MAX_MISORDER of 100.
        var stream = new RemoteStream(0x1234, 111, 48000, nack);
        var t = TimeSpan.Zero;
        for (ushort seq = 0; seq <= 520; seq++)
        {
            if (seq is < 200 or >= 400)
            {
                stream.Statistics.ReceivePacket(seq, seq * 960u, t);
            }

            t += TimeSpan.FromMilliseconds(20);
        }

        for (ushort seq = 200; seq < 400; seq++)
        {
            stream.Statistics.ReceivePacket(seq, seq * 960u, t);
        }

        if (nack)
        {
            // Counted as late arrivals: every packet received once, nothing lost, no restart.
            Assert.Equal(0, stream.Statistics.Resyncs);
            Assert.Equal(521, stream.Statistics.PacketsReceived);
        }
        else
        {
            // RFC 3550 A.1 with MAX_MISORDER 100: two sequential packets more than 100 behind are a restart of the
            // source, and the counters start again (what the NACK threshold avoids).
            Assert.True(stream.Statistics.Resyncs > 0);
            Assert.True(stream.Statistics.PacketsReceived < 521);
        }
    }
}
