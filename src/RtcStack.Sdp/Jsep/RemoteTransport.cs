namespace RtcStack.Sdp.Jsep;

/// <summary>The peer's ICE and DTLS parameters for the audio transport, as its description gives them.</summary>
/// <param name="IceUfrag">The peer's ICE username fragment (RFC 8839 §5.4).</param>
/// <param name="IcePwd">The peer's ICE password.</param>
/// <param name="IceLite">Whether the peer is an ICE lite agent (RFC 8839 §5.3).</param>
/// <param name="IceOptions">The peer's ICE options, e.g. "trickle".</param>
/// <param name="Fingerprints">The peer's certificate fingerprints (RFC 8122 §5).</param>
/// <param name="Candidates">
/// The peer's "a=candidate" values exactly as written, for the ICE library to parse. They can include
/// component-2 (RTCP) candidates, which Firefox sends even with rtcp-mux; with <see cref="NegotiatedAudio.RtcpMux"/>
/// only component 1 is used (RFC 5761 §5.1.3).
/// </param>
/// <param name="EndOfCandidates">Whether the peer said "a=end-of-candidates" (RFC 8840 §8.2).</param>
public sealed record RemoteTransport(
    string IceUfrag,
    string IcePwd,
    bool IceLite,
    IReadOnlyList<string> IceOptions,
    IReadOnlyList<SdpFingerprint> Fingerprints,
    IReadOnlyList<string> Candidates,
    bool EndOfCandidates);
