using System.Diagnostics.CodeAnalysis;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// What a signalling front end (WHIP/WHEP, RFC 9725) needs of a session: offer/answer (RFC 8829), trickle and ICE
/// restart (RFC 8838, RFC 8840), its state and its events. Implemented by <see cref="WebRtcSession"/>.
/// </summary>
public interface ISignalledSession : IIceDatagramEndpoint, IDisposable
{
    /// <summary>Gets the connection state.</summary>
    PeerConnectionState State { get; }

    /// <summary>Gets a value indicating whether local candidate gathering finished.</summary>
    bool IsGatheringComplete { get; }

    /// <summary>Gets our current ICE password (RFC 8839 §5.4).</summary>
    string LocalIcePassword { get; }

    /// <summary>Gets our a=ice-options tags as written in our description, or null.</summary>
    string? LocalIceOptions { get; }

    /// <summary>Gets the peer's ICE credentials, once known.</summary>
    IceCredentials? RemoteIceCredentials { get; }

    /// <summary>Creates an offer and sets it as the local description.</summary>
    string CreateOffer(TimeSpan now);

    /// <summary>
    /// Answers the peer's offer. Sections the offer creates get <paramref name="direction"/> as our wish (JSEP's answer
    /// intersects it with the offer's): RecvOnly for a publisher's offer (WHIP), SendOnly for a viewer's (WHEP).
    /// </summary>
    /// <returns>False, with the reason, when the offer cannot be answered.</returns>
    bool TryAnswer(string offerSdp, MediaDirection direction, TimeSpan now, [NotNullWhen(false)] out string? error);

    /// <summary>Takes the peer's answer to our offer.</summary>
    bool TryApplyAnswer(string answerSdp, TimeSpan now, [NotNullWhen(false)] out string? error);

    /// <summary>Gets our current description with every candidate gathered so far (and end-of-candidates once complete).</summary>
    string GetLocalDescription();

    /// <summary>Gets our local candidates as a=candidate values (without the "candidate:" prefix).</summary>
    IReadOnlyList<string> LocalCandidateValues();

    /// <summary>Gets the mid and the "m=" line value (after "m=") of the section our candidates are signalled in.</summary>
    (string Mid, string MediaLine) CandidateSection { get; }

    /// <summary>Adds a remote candidate (a=candidate value, with or without the "candidate:" prefix).</summary>
    bool AddRemoteCandidate(string candidate, TimeSpan now);

    /// <summary>The peer signalled end-of-candidates.</summary>
    void AddRemoteEndOfCandidates(TimeSpan now);

    /// <summary>Restarts ICE on our side (new local credentials) and takes the peer's new ones (RFC 8445 §9).</summary>
    void RestartIce(string remoteUfrag, string remotePassword, TimeSpan now);

    /// <summary>Closes the session (RTCP BYE, DTLS close_notify).</summary>
    void Close(TimeSpan now);

    /// <summary>Dequeues the next event (a <see cref="SessionEvent"/> for <see cref="WebRtcSession"/>).</summary>
    bool TryPollSignalledEvent([NotNullWhen(true)] out object? sessionEvent);
}
