using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>Echoes what one session receives: audio packets and assembled video frames go back on the same section.</summary>
internal sealed class SessionEcho(WebRtcSession session)
{
    private readonly byte[] _buffer = new byte[1 << 20];

    public WebRtcSession Session { get; } = session;

    public UdpSessionHandle? Handle { get; set; }

    public IIceDatagramEndpoint? Lossy { get; set; }

    /// <summary>Gets or sets a transceiver of our own that repeats every audio packet echoed (a track the session offered).</summary>
    public Transceiver? ExtraAudio { get; set; }

    public long AudioEchoed { get; private set; }

    public long VideoEchoed { get; private set; }

    public long KeyFramesEchoed { get; private set; }

    public long KeyframeRequests { get; private set; }

    public void Pump(TimeSpan now)
    {
        while (Session.TryPollEvent(out SessionEvent? e))
        {
            if (e is SessionKeyframeRequestedEvent k && Session.Jsep.FindTransceiver(k.Mid) is Transceiver t)
            {
                // We cannot encode: pass the request on to the browser's sender of the section we echo.
                KeyframeRequests++;
                Session.RequestKeyframe(t, now);
            }
        }

        while (Session.TryPollMedia(_buffer, out ReceivedMedia m))
        {
            if (Session.Jsep.FindTransceiver(m.Mid) is not Transceiver t)
            {
                continue;
            }

            if (m.IsVideo)
            {
                if (Session.SendVideoFrame(t, _buffer.AsMemory(0, m.Length).ToArray(), m.Timestamp, m.KeyFrame, now))
                {
                    VideoEchoed++;
                    KeyFramesEchoed += m.KeyFrame ? 1 : 0;
                }
            }
            else if (Session.SendAudio(t, _buffer.AsSpan(0, m.Length), m.Timestamp, now))
            {
                AudioEchoed++;
                if (ExtraAudio is Transceiver extra && extra != t)
                {
                    Session.SendAudio(extra, _buffer.AsSpan(0, m.Length), m.Timestamp, now);
                }
            }
        }
    }
}
