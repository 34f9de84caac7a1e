using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The SDP parser (RFC 8866) and what sits on it: any input must parse or be rejected with an
/// error, never throw, in both tolerant and strict mode. A parsed description must write back to
/// text that parses to the same text with no repair left to make (a mismatch is thrown as a
/// finding); whatever strict mode accepts, tolerant mode accepts with the same result; every typed
/// accessor must work on it, and the session's JSEP (<see cref="JsepSession"/>, audio and video transceivers and any
/// number of m= sections) must either answer it as an offer or refuse it with an error, and either apply it as the
/// answer to its own offer or refuse it; an answer it writes must itself parse.
/// </summary>
[FuzzTarget("sdp")]
public sealed class SdpTarget : IFuzzTarget
{
    private static JsepOptions Options() => new()
    {
        IceUfrag = "fuzz",
        IcePwd = "fuzzfuzzfuzzfuzzfuzzfu",
        Fingerprints = [SdpFingerprint.FromHash("sha-256", new byte[32])],
        CName = "fuzz",
        Random = new Random(1),
    };

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        var reader = new SdpReader(System.Text.Encoding.Latin1.GetString(data));
        while (reader.Read() == SdpReadStatus.Line)
        {
        }

        bool strictOk = SessionDescription.TryParse(data, SdpParserOptions.Strict, out SessionDescription? strict, out SdpParseError strictError);
        if (!strictOk && strictError.Code == SdpParseErrorCode.None)
        {
            throw new InvalidOperationException("strict parse rejected without an error code");
        }

        if (!SessionDescription.TryParse(data, out SessionDescription? sdp, out SdpParseError error))
        {
            if (strictOk)
            {
                throw new InvalidOperationException("strict mode accepted what tolerant mode refused: " + error);
            }

            if (error.Code == SdpParseErrorCode.None)
            {
                throw new InvalidOperationException("rejected without an error code");
            }

            return;
        }

        string text = sdp.ToString();
        if (!SessionDescription.TryParse(text, out SessionDescription? again, out SdpParseError againError))
        {
            throw new InvalidOperationException("written text does not parse: " + againError);
        }

        if (!string.Equals(text, again.ToString(), StringComparison.Ordinal))
        {
            throw new InvalidOperationException("write/parse/write is not stable");
        }

        foreach (SdpParseWarning warning in again.ParseWarnings)
        {
            // A misplaced attribute is kept (and warned about again); every other repair is done once.
            if (warning.Code != SdpParseWarningCode.AttributeAtWrongLevel)
            {
                throw new InvalidOperationException("written text still needs a repair: " + warning);
            }
        }

        if (strictOk && sdp.ParseWarnings.Count == 0 && !string.Equals(strict!.ToString(), text, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("strict and tolerant parses of a clean input differ");
        }

        byte[] utf8 = new byte[sdp.GetUtf8ByteCount()];
        if (!sdp.TryFormatUtf8(utf8, out int written) || written != utf8.Length)
        {
            throw new InvalidOperationException("UTF-8 writer disagrees with its byte count");
        }

        Touch(sdp);
        // As a remote offer: answered, or refused with a typed error (RFC 8829 §5.3, §5.10).
        var answerer = new JsepSession(Options());
        answerer.AddTransceiver(MediaKind.Audio);
        answerer.AddTransceiver(MediaKind.Video);
        if (answerer.TrySetRemoteDescription(SdpType.Offer, sdp, out _)
            && answerer.TryCreateAnswer(out SessionDescription? answer, out _))
        {
            if (!SessionDescription.TryParse(answer.ToString(), out _, out SdpParseError answerError))
            {
                throw new InvalidOperationException("our answer does not parse: " + answerError);
            }

            if (!answerer.TrySetLocalDescription(SdpType.Answer, answer, out JsepError? applyError))
            {
                throw new InvalidOperationException("our own answer cannot be applied: " + applyError);
            }
        }

        // As the remote answer to our offer (RFC 8829 §5.10): applied, or refused with a typed error.
        var offerer = new JsepSession(Options());
        offerer.AddTransceiver(MediaKind.Audio);
        offerer.AddTransceiver(MediaKind.Video);
        offerer.SetLocalDescription(SdpType.Offer, offerer.CreateOffer());
        offerer.TrySetRemoteDescription(SdpType.Answer, sdp, out _);
    }

    private static void Touch(SessionDescription sdp)
    {
        _ = sdp.GetGroups();
        _ = sdp.GetBundleGroups();
        _ = sdp.GetTimings();
        _ = sdp.IceLite;
        foreach (MediaDescription m in sdp.MediaDescriptions)
        {
            _ = m.Mid;
            _ = m.IsRejected;
            _ = m.Rtcp;
            _ = m.Simulcast;
            _ = m.GetRtpMaps();
            _ = m.GetPayloadTypes();
            _ = m.GetRtcpFeedback();
            _ = m.GetSsrcGroups();
            _ = m.GetMsids();
            _ = m.GetCandidates();
            _ = m.GetRids();
            _ = m.GetConnection();
            _ = m.GetBandwidths();
            _ = sdp.GetEffectiveFingerprints(m);
            _ = sdp.GetEffectiveIceOptions(m);
            _ = sdp.GetEffectiveSetup(m);
            _ = sdp.GetEffectiveDirection(m);
            foreach (SdpFingerprint fp in m.GetFingerprints())
            {
                _ = fp.GetHashBytes();
            }

            foreach (FormatParameters fmtp in m.GetFormatParameters())
            {
                _ = fmtp.GetParameters();
            }

            foreach (Rid rid in m.GetRids())
            {
                _ = rid.GetPayloadTypes();
                _ = rid.GetRestrictions();
            }

            foreach (SsrcAttribute ssrc in m.GetSsrcAttributes())
            {
                _ = ssrc.ToString();
            }

            foreach (ExtMap ext in m.GetExtMaps())
            {
                _ = ext.ToString();
            }
        }
    }
}
