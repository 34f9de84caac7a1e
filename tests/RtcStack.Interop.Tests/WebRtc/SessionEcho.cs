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

    /// <summary>
    /// Gets the longest interval between two video frames we echoed (session time), when it ended (since the first
    /// echoed frame) and how far the frames' RTP timestamps moved across it (90 kHz): a freeze the browser reports with
    /// an interval here as long tells our side (or the browser's sender) from the browser's receive side; the audio
    /// packets echoed within it tell whether our receive path ran meanwhile.
    /// </summary>
    public (TimeSpan Gap, TimeSpan EndedAfterFirst, uint RtpTicks, long AudioDuring, long PumpsDuring, TimeSpan EndedAt) LongestVideoGap { get; private set; }

    private TimeSpan? _firstVideoAt;
    private TimeSpan _lastVideoAt;
    private uint _lastVideoTimestamp;
    private long _audioAtLastVideo;
    private long _pumps;
    private long _pumpsAtLastVideo;

    /// <summary>Gets the longest interval between two calls of <see cref="Pump"/> (each datagram or timer of the session) and when it ended.</summary>
    public (TimeSpan Gap, TimeSpan At) LongestPumpGap { get; private set; }

    private TimeSpan? _lastPump;

    public void Pump(TimeSpan now)
    {
        _pumps++;
        if (_lastPump is TimeSpan last && now - last > LongestPumpGap.Gap)
        {
            LongestPumpGap = (now - last, now);
        }

        _lastPump = now;
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
                    if (_firstVideoAt is TimeSpan first && now - _lastVideoAt > LongestVideoGap.Gap)
                    {
                        LongestVideoGap = (now - _lastVideoAt, now - first, m.Timestamp - _lastVideoTimestamp, AudioEchoed - _audioAtLastVideo, _pumps - _pumpsAtLastVideo, now);
                    }

                    _firstVideoAt ??= now;
                    _lastVideoAt = now;
                    _lastVideoTimestamp = m.Timestamp;
                    _audioAtLastVideo = AudioEchoed;
                    _pumpsAtLastVideo = _pumps;
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
