using System.Diagnostics.CodeAnalysis;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.WebRtc;

/// <content>The <see cref="ISignalledSession"/> members a WHIP/WHEP front end drives.</content>
public sealed partial class PeerSession
{
    /// <inheritdoc/>
    IceCredentials? ISignalledSession.RemoteIceCredentials => _ice?.RemoteCredentials;

    /// <inheritdoc/>
    (string Mid, string MediaLine) ISignalledSession.CandidateSection => (Negotiated?.Mid ?? "0", "audio 9 UDP/TLS/RTP/SAVPF " + PayloadType);

    /// <inheritdoc/>
    /// <remarks>The audio session's own options decide its direction; <paramref name="direction"/> is not used.</remarks>
    bool ISignalledSession.TryAnswer(string offerSdp, MediaDirection direction, TimeSpan now, [NotNullWhen(false)] out string? error) =>
        TryAcceptOffer(offerSdp, now, out _, out error);

    /// <inheritdoc/>
    void ISignalledSession.RestartIce(string remoteUfrag, string remotePassword, TimeSpan now)
    {
        RestartIce(now);
        SetRemoteIceCredentials(remoteUfrag, remotePassword, now);
    }

    /// <inheritdoc/>
    bool ISignalledSession.TryPollSignalledEvent([NotNullWhen(true)] out object? sessionEvent)
    {
        bool any = TryPollEvent(out PeerSessionEvent? e);
        sessionEvent = e;
        return any;
    }
}
