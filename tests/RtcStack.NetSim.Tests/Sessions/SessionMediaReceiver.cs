using RtcStack.Opus;
using RtcStack.WebRtc;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>The receiving application: takes every frame the session decrypted and depacketized, and counts it.</summary>
internal sealed class SessionMediaReceiver : ISessionApplication
{
    private readonly byte[] _buffer = new byte[PeerSession.MaxDatagramSize];

    public long FramesAccepted { get; private set; }

    public long FramesOther { get; private set; }

    public long PayloadBytes { get; private set; }

    public void Run(PeerSession session, TimeSpan now)
    {
        while (session.TryPollMedia(_buffer, out ReceivedMediaFrame frame))
        {
            if (frame.Status == OpusRtpReceiveStatus.Accepted)
            {
                FramesAccepted++;
                PayloadBytes += frame.PayloadLength;
            }
            else
            {
                FramesOther++;
            }
        }
    }

    public TimeSpan PollTimeout() => TimeSpan.MaxValue;
}
