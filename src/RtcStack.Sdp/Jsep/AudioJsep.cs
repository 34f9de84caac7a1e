using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp.Jsep;

/// <summary>
/// JSEP (RFC 8829) offer/answer for an audio-only endpoint: Opus over DTLS-SRTP with BUNDLE
/// (RFC 8843) and RTP/RTCP multiplexing (RFC 5761, RFC 8858). Data in, descriptions out; no state
/// is kept between calls, so the caller keeps its own offer for <see cref="TryApplyAnswer"/>.
/// </summary>
public static class AudioJsep
{
    private const string OpusName = "opus";
    private const int OpusClockRate = 48000;

    private static readonly string[] s_dtlsSrtpProtocols =
    [
        "UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP", "TCP/DTLS/RTP/SAVPF", "TCP/DTLS/RTP/SAVP",
        "TCP/TLS/RTP/SAVPF", "TCP/TLS/RTP/SAVP", "RTP/SAVPF", "RTP/SAVP",
    ];

    /// <summary>
    /// Builds an initial offer with one audio section (RFC 8829 §5.2.1): Opus/48000/2, BUNDLE,
    /// rtcp-mux (and rtcp-mux-only if asked), rtcp-rsize, ICE credentials, fingerprints,
    /// setup:actpass (RFC 8842 §5.2), the supported header extensions numbered from 1, the RTCP
    /// feedback, msid and an "a=ssrc ... cname:" line.
    /// </summary>
    /// <param name="options">Our parameters.</param>
    /// <returns>The offer.</returns>
    /// <exception cref="ArgumentException">The options are unusable (short ICE credentials, no fingerprint, bad payload type).</exception>
    public static SessionDescription CreateOffer(AudioEndpointOptions options)
    {
        Validate(options);
        SessionDescription sdp = CreateSession(options);
        sdp.AddAttribute(SdpAttributeNames.Group, new SdpGroup(SdpGroup.Bundle, [options.Mid]).ToString());
        if (options.ExtMapAllowMixed)
        {
            sdp.ExtMapAllowMixed = true;
        }

        var media = new MediaDescription(new SdpMediaLine("audio", options.DefaultPort, "UDP/TLS/RTP/SAVPF", [SdpGrammar.Format(options.OpusPayloadType)]));
        media.Lines.Add(new SdpConnection("IN", AddressTypeOf(options.DefaultAddress), options.DefaultAddress ?? "0.0.0.0").ToLine());
        media.Lines.Add(new RtcpAddress(9, new SdpConnection("IN", "IP4", "0.0.0.0")).ToLine());
        AddTransport(media, options, SetupRole.ActPass);
        media.Mid = options.Mid;
        for (int i = 0; i < options.HeaderExtensions.Count; i++)
        {
            media.Lines.Add(new ExtMap(i + 1, options.HeaderExtensions[i]).ToLine());
        }

        media.Direction = options.Direction;
        AddMsid(media, options, options.Direction);
        media.RtcpMux = true;
        if (options.RtcpMuxOnly)
        {
            media.RtcpMuxOnly = true;
        }

        if (options.RtcpReducedSize)
        {
            media.RtcpReducedSize = true;
        }

        AddOpus(media, options.OpusPayloadType, options.RtcpFeedback, options.OpusParameters);
        AddSsrc(media, options, options.Direction);
        AddCandidates(media, options);
        sdp.MediaDescriptions.Add(media);
        return sdp;
    }

    /// <summary>
    /// Answers an offer (RFC 8829 §5.3.1): accepts the first audio section that uses DTLS-SRTP and offers
    /// Opus, choosing the offer's Opus payload type; keeps the offered header extensions and RTCP feedback
    /// we support, with the offer's ids; mirrors mids and the BUNDLE group; takes setup active or passive
    /// (RFC 8842 §5.3); rejects every other m= section with port 0 (RFC 3264 §6), such as video and data
    /// channels. Never throws for a bad offer: the reason comes back as a <see cref="JsepError"/>.
    /// </summary>
    /// <param name="offer">The remote offer.</param>
    /// <param name="options">Our parameters.</param>
    /// <param name="answer">The answer and what it negotiated.</param>
    /// <param name="error">Why the offer cannot be answered.</param>
    /// <returns>Whether an answer was built.</returns>
    /// <exception cref="ArgumentException">The options are unusable.</exception>
    public static bool TryCreateAnswer(SessionDescription offer, AudioEndpointOptions options, [NotNullWhen(true)] out AudioAnswer? answer, [NotNullWhen(false)] out JsepError? error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        Validate(options);
        answer = null;

        int chosen = -1;
        int opusPt = -1;
        JsepError? firstProblem = null;
        for (int i = 0; i < offer.MediaDescriptions.Count; i++)
        {
            MediaDescription m = offer.MediaDescriptions[i];
            if (!string.Equals(m.Media, "audio", StringComparison.Ordinal) || m.IsRejected)
            {
                continue;
            }

            if (!IsDtlsSrtp(m.MediaLine.Protocol))
            {
                firstProblem ??= new JsepError(JsepErrorCode.UnsupportedProtocol, $"audio section uses {m.MediaLine.Protocol}, not DTLS-SRTP (RFC 8827 §6.5)", i);
                continue;
            }

            int pt = FindOpus(m);
            if (pt < 0)
            {
                if (firstProblem is null || firstProblem.Code == JsepErrorCode.UnsupportedProtocol)
                {
                    firstProblem = new JsepError(JsepErrorCode.NoCommonCodec, "the audio section offers no opus/48000/2 (RFC 7587 §7)", i);
                }

                continue;
            }

            chosen = i;
            opusPt = pt;
            break;
        }

        if (chosen < 0)
        {
            error = firstProblem ?? new JsepError(JsepErrorCode.NoAudioSection, "the offer has no audio m= section that is not rejected");
            return false;
        }

        MediaDescription offered = offer.MediaDescriptions[chosen];
        if (!TryReadRemoteTransport(offer, offered, chosen, out RemoteTransport? remote, out error))
        {
            return false;
        }

        if (!offered.RtcpMux)
        {
            error = new JsepError(JsepErrorCode.RtcpMuxRequired, "the audio section has no a=rtcp-mux; RTP and RTCP must share the transport (RFC 5761)", chosen);
            return false;
        }

        SetupRole localSetup;
        switch (offer.GetEffectiveSetup(offered))
        {
            case SetupRole.Active:
                localSetup = SetupRole.Passive;
                break;
            case SetupRole.Passive:
                localSetup = SetupRole.Active;
                break;
            case SetupRole.HoldConn:
                error = new JsepError(JsepErrorCode.InvalidSetup, "a=setup:holdconn cannot set up DTLS (RFC 8842 §5)", chosen);
                return false;
            default:
                // actpass, or no a=setup at all (treated as actpass, as libwebrtc does).
                localSetup = options.AnswerSetup;
                break;
        }

        // BUNDLE: the group holding our section; its first mid is the offerer-tagged section, which must not be rejected.
        string? mid = offered.Mid;
        SdpGroup? offeredBundle = mid is null ? null : offer.FindBundleGroup(mid);
        if (offeredBundle is not null && offeredBundle.Mids.Count > 0 && !string.Equals(offeredBundle.Mids[0], mid, StringComparison.Ordinal))
        {
            MediaDescription? tagged = offer.FindMedia(offeredBundle.Mids[0]);
            if (tagged is not null && !tagged.IsRejected)
            {
                error = new JsepError(
                    JsepErrorCode.BundleTagRejected,
                    $"the offer's BUNDLE group is tagged with mid {offeredBundle.Mids[0]} ({tagged.Media}), which this audio-only endpoint would have to reject (RFC 8843 §7.3.3)",
                    offer.MediaDescriptions.IndexOf(tagged));
                return false;
            }
        }

        SessionDescription sdp = CreateSession(options);
        IReadOnlyList<string> bundleMids = offeredBundle is null || mid is null ? [] : [mid];
        if (bundleMids.Count > 0)
        {
            sdp.Lines.Add(new SdpGroup(SdpGroup.Bundle, bundleMids).ToLine());
        }

        bool allowMixed = options.ExtMapAllowMixed && offer.GetEffectiveExtMapAllowMixed(offered);
        if (allowMixed && offer.ExtMapAllowMixed)
        {
            sdp.ExtMapAllowMixed = true;
        }

        var negotiatedExtensions = new List<ExtMap>();
        var negotiatedFeedback = new List<RtcpFeedback>();
        MediaDirection offeredDirection = offer.GetEffectiveDirection(offered);
        MediaDirection localDirection = offeredDirection.AnswerTo(options.Direction);
        for (int i = 0; i < offer.MediaDescriptions.Count; i++)
        {
            MediaDescription m = offer.MediaDescriptions[i];
            if (i != chosen)
            {
                sdp.MediaDescriptions.Add(Reject(m));
                continue;
            }

            var media = new MediaDescription(new SdpMediaLine("audio", options.DefaultPort, m.MediaLine.Protocol, [SdpGrammar.Format(opusPt)]));
            media.Lines.Add(new SdpConnection("IN", AddressTypeOf(options.DefaultAddress), options.DefaultAddress ?? "0.0.0.0").ToLine());
            AddTransport(media, options, localSetup);
            if (mid is not null)
            {
                media.Mid = mid;
            }

            foreach (ExtMap ext in OfferedExtMaps(offer, m))
            {
                if (ext.Id is >= 1 and <= 255 && Contains(options.HeaderExtensions, ext.Uri) && !ContainsId(negotiatedExtensions, ext.Id))
                {
                    var answered = new ExtMap(ext.Id, ext.Uri, ext.Direction?.Reverse());
                    negotiatedExtensions.Add(answered);
                    media.Lines.Add(answered.ToLine());
                }
            }

            media.Direction = localDirection;
            AddMsid(media, options, localDirection);
            media.RtcpMux = true;
            if (m.RtcpMuxOnly)
            {
                // RFC 8843 §9.3.1.2: an offerer-tagged section with "rtcp-mux-only" gets it in the answerer-tagged one.
                media.RtcpMuxOnly = true;
            }

            if (m.RtcpReducedSize && options.RtcpReducedSize)
            {
                media.RtcpReducedSize = true;
            }

            if (allowMixed && !offer.ExtMapAllowMixed)
            {
                media.ExtMapAllowMixed = true;
            }

            media.Lines.Add(new RtpMap(opusPt, OpusName, OpusClockRate, 2).ToLine());
            foreach (RtcpFeedback fb in m.GetRtcpFeedback())
            {
                if (fb.AppliesTo(opusPt) && Contains(options.RtcpFeedback, FeedbackKey(fb)))
                {
                    var answered = new RtcpFeedback(SdpGrammar.Format(opusPt), fb.Type, fb.Parameter);
                    if (!negotiatedFeedback.Contains(answered))
                    {
                        negotiatedFeedback.Add(answered);
                        media.Lines.Add(answered.ToLine());
                    }
                }
            }

            if (options.OpusParameters.Count > 0)
            {
                media.Lines.Add(FormatParameters.Create(SdpGrammar.Format(opusPt), options.OpusParameters).ToLine());
            }

            AddSsrc(media, options, localDirection);
            AddCandidates(media, options);
            sdp.MediaDescriptions.Add(media);
        }

        var negotiated = new NegotiatedAudio
        {
            MediaIndex = chosen,
            Mid = mid,
            PayloadType = opusPt,
            RemoteOpusParameters = offered.GetFormatParameters(SdpGrammar.Format(opusPt))?.GetParameters() ?? [],
            HeaderExtensions = negotiatedExtensions,
            RtcpFeedback = negotiatedFeedback,
            RtcpReducedSize = offered.RtcpReducedSize && options.RtcpReducedSize,
            ExtMapAllowMixed = allowMixed,
            LocalDirection = localDirection,
            LocalSetup = localSetup,
            Remote = remote,
            RemoteMsid = FirstOrNull(offered.GetMsids()),
            RemoteSources = ReadSources(offered),
            BundleMids = bundleMids,
        };
        answer = new AudioAnswer(sdp, negotiated);
        error = null;
        return true;
    }

    /// <summary>
    /// Applies the peer's answer to our offer (RFC 8829 §5.8, RFC 3264 §7): finds our audio section in the answer,
    /// reads the peer's ICE credentials, candidates, fingerprints and setup role (RFC 8842 §5.3: active makes us the
    /// DTLS server, passive the client), the chosen Opus payload type, the header extension ids and feedback it kept,
    /// and its SSRCs. Never throws for a bad answer.
    /// </summary>
    /// <param name="localOffer">The offer we sent (as built by <see cref="CreateOffer"/> or edited since).</param>
    /// <param name="remoteAnswer">The peer's answer.</param>
    /// <param name="negotiated">What was agreed.</param>
    /// <param name="error">Why the answer cannot be applied.</param>
    /// <returns>Whether the answer was applied.</returns>
    public static bool TryApplyAnswer(SessionDescription localOffer, SessionDescription remoteAnswer, [NotNullWhen(true)] out NegotiatedAudio? negotiated, [NotNullWhen(false)] out JsepError? error)
    {
        ArgumentNullException.ThrowIfNull(localOffer);
        ArgumentNullException.ThrowIfNull(remoteAnswer);
        negotiated = null;
        if (remoteAnswer.MediaDescriptions.Count != localOffer.MediaDescriptions.Count)
        {
            error = new JsepError(
                JsepErrorCode.MediaCountMismatch,
                $"the answer has {remoteAnswer.MediaDescriptions.Count} m= sections for the {localOffer.MediaDescriptions.Count} offered (RFC 3264 §6)");
            return false;
        }

        int index = -1;
        for (int i = 0; i < localOffer.MediaDescriptions.Count; i++)
        {
            MediaDescription m = localOffer.MediaDescriptions[i];
            if (string.Equals(m.Media, "audio", StringComparison.Ordinal) && !m.IsRejected && FindOpus(m) >= 0)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            error = new JsepError(JsepErrorCode.NoAudioSection, "our offer has no audio section with Opus");
            return false;
        }

        MediaDescription ours = localOffer.MediaDescriptions[index];
        MediaDescription theirs = remoteAnswer.MediaDescriptions[index];
        if (!string.Equals(theirs.Media, ours.Media, StringComparison.Ordinal) || !string.Equals(theirs.Mid, ours.Mid, StringComparison.Ordinal))
        {
            error = new JsepError(JsepErrorCode.MidMismatch, $"answer section {index} is {theirs.Media} mid {theirs.Mid ?? "(none)"}, offered {ours.Media} mid {ours.Mid ?? "(none)"}", index);
            return false;
        }

        SdpGroup? bundle = theirs.Mid is null ? null : remoteAnswer.FindBundleGroup(theirs.Mid);
        if (theirs.IsRejected && bundle is null)
        {
            error = new JsepError(JsepErrorCode.AudioRejected, "the answer rejected the audio section (port 0, RFC 3264 §6)", index);
            return false;
        }

        // A bundled section may leave transport attributes to the BUNDLE-tagged section (RFC 8843 §7.3.1).
        MediaDescription transport = theirs;
        if (bundle is not null && bundle.Mids.Count > 0 && remoteAnswer.FindMedia(bundle.Mids[0]) is MediaDescription tag
            && remoteAnswer.GetEffectiveIceUfrag(theirs) is null)
        {
            transport = tag;
        }

        if (!TryReadRemoteTransport(remoteAnswer, transport, index, out RemoteTransport? remote, out error))
        {
            return false;
        }

        if (!transport.RtcpMux && !theirs.RtcpMux)
        {
            error = new JsepError(JsepErrorCode.RtcpMuxRequired, "the answer has no a=rtcp-mux for the audio section (RFC 5761 §5.1.1)", index);
            return false;
        }

        SetupRole localSetup;
        switch (remoteAnswer.GetEffectiveSetup(transport))
        {
            case SetupRole.Active:
                localSetup = SetupRole.Passive;
                break;
            case SetupRole.Passive:
                localSetup = SetupRole.Active;
                break;
            case null:
                // RFC 4145 §4: no a=setup means "active".
                localSetup = SetupRole.Passive;
                break;
            default:
                error = new JsepError(JsepErrorCode.InvalidSetup, $"the answer's a=setup:{remoteAnswer.GetEffectiveSetup(transport)!.Value.ToSdpString()} must be active or passive (RFC 8842 §5.3)", index);
                return false;
        }

        int pt = -1;
        Dictionary<int, RtpMap> offeredMaps = RtpMapsByPayloadType(ours);
        Dictionary<int, RtpMap> answeredMaps = RtpMapsByPayloadType(theirs);
        foreach (int candidate in theirs.GetPayloadTypes())
        {
            if (offeredMaps.TryGetValue(candidate, out RtpMap? offeredMap) && IsOpus(offeredMap)
                && (!answeredMaps.TryGetValue(candidate, out RtpMap? answeredMap) || IsOpus(answeredMap)))
            {
                pt = candidate;
                break;
            }
        }

        if (pt < 0)
        {
            error = new JsepError(JsepErrorCode.NoCommonCodec, "the answer's audio section keeps none of our Opus payload types", index);
            return false;
        }

        var extensions = new List<ExtMap>();
        IReadOnlyList<ExtMap> offeredExtensions = OfferedExtMaps(localOffer, ours);
        foreach (ExtMap ext in OfferedExtMaps(remoteAnswer, theirs))
        {
            foreach (ExtMap mine in offeredExtensions)
            {
                if (string.Equals(mine.Uri, ext.Uri, StringComparison.Ordinal) && ext.Id is >= 1 and <= 255 && !ContainsId(extensions, ext.Id))
                {
                    extensions.Add(ext);
                    break;
                }
            }
        }

        var feedback = new List<RtcpFeedback>();
        IReadOnlyList<RtcpFeedback> offeredFeedback = ours.GetRtcpFeedback();
        foreach (RtcpFeedback fb in theirs.GetRtcpFeedback())
        {
            if (!fb.AppliesTo(pt))
            {
                continue;
            }

            foreach (RtcpFeedback mine in offeredFeedback)
            {
                if (mine.AppliesTo(pt) && FeedbackKey(mine) == FeedbackKey(fb))
                {
                    var normalized = new RtcpFeedback(SdpGrammar.Format(pt), fb.Type, fb.Parameter);
                    if (!feedback.Contains(normalized))
                    {
                        feedback.Add(normalized);
                    }

                    break;
                }
            }
        }

        MediaDirection offeredDirection = localOffer.GetEffectiveDirection(ours);
        MediaDirection answeredDirection = remoteAnswer.GetEffectiveDirection(theirs);
        negotiated = new NegotiatedAudio
        {
            MediaIndex = index,
            Mid = ours.Mid,
            PayloadType = pt,
            RemoteOpusParameters = theirs.GetFormatParameters(SdpGrammar.Format(pt))?.GetParameters() ?? [],
            HeaderExtensions = extensions,
            RtcpFeedback = feedback,
            RtcpReducedSize = ours.RtcpReducedSize && theirs.RtcpReducedSize,
            ExtMapAllowMixed = localOffer.GetEffectiveExtMapAllowMixed(ours) && remoteAnswer.GetEffectiveExtMapAllowMixed(theirs),
            LocalDirection = MediaDirectionExtensions.FromSendReceive(
                offeredDirection.Sends() && answeredDirection.Receives(),
                offeredDirection.Receives() && answeredDirection.Sends()),
            LocalSetup = localSetup,
            Remote = remote,
            RemoteMsid = FirstOrNull(theirs.GetMsids()),
            RemoteSources = ReadSources(theirs),
            BundleMids = bundle?.Mids ?? [],
        };
        error = null;
        return true;
    }

    private static void Validate(AudioEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IceUfrag is null || options.IceUfrag.Length is < 4 or > 256 || !SdpGrammar.IsIceChars(options.IceUfrag))
        {
            throw new ArgumentException("IceUfrag must be 4-256 ice-chars (RFC 8839 §5.4)", nameof(options));
        }

        if (options.IcePwd is null || options.IcePwd.Length is < 22 or > 256 || !SdpGrammar.IsIceChars(options.IcePwd))
        {
            throw new ArgumentException("IcePwd must be 22-256 ice-chars (RFC 8839 §5.4)", nameof(options));
        }

        if (options.Fingerprints is null || options.Fingerprints.Count == 0)
        {
            throw new ArgumentException("at least one certificate fingerprint is required (RFC 8827 §6.5)", nameof(options));
        }

        if (options.OpusPayloadType is < 0 or > 127)
        {
            throw new ArgumentException("OpusPayloadType must be 0-127", nameof(options));
        }

        if (options.DefaultPort is < 0 or > 65535)
        {
            throw new ArgumentException("DefaultPort must be 0-65535", nameof(options));
        }

        SdpGrammar.RequireToken(options.Mid, nameof(options));
        SdpGrammar.RequireNonWhitespace(options.CName, nameof(options));
    }

    private static SessionDescription CreateSession(AudioEndpointOptions options)
    {
        // RFC 8829 §5.2.1: "o=- <id> <version> IN IP4 0.0.0.0", "s=-", "t=0 0".
        var sdp = new SessionDescription(new SdpOrigin("-", options.SessionId, options.SessionVersion));
        if (options.IceLite)
        {
            sdp.IceLite = true;
        }

        return sdp;
    }

    private static void AddTransport(MediaDescription media, AudioEndpointOptions options, SetupRole setup)
    {
        media.AddAttribute(SdpAttributeNames.IceUfrag, options.IceUfrag);
        media.AddAttribute(SdpAttributeNames.IcePwd, options.IcePwd);
        if (options.IceOptions.Count > 0)
        {
            media.AddAttribute(SdpAttributeNames.IceOptions, string.Join(' ', options.IceOptions));
        }

        foreach (SdpFingerprint fp in options.Fingerprints)
        {
            media.Lines.Add(fp.ToLine());
        }

        media.Setup = setup;
    }

    private static void AddMsid(MediaDescription media, AudioEndpointOptions options, MediaDirection direction)
    {
        if (options.StreamId is not null && direction.Sends())
        {
            media.Lines.Add(new Msid(options.StreamId, options.TrackId).ToLine());
        }
    }

    private static void AddOpus(MediaDescription media, int pt, IReadOnlyList<string> feedback, IReadOnlyList<FormatParameter> parameters)
    {
        string format = SdpGrammar.Format(pt);
        media.Lines.Add(new RtpMap(pt, OpusName, OpusClockRate, 2).ToLine());
        foreach (string fb in feedback)
        {
            int sp = fb.IndexOf(' ', StringComparison.Ordinal);
            media.Lines.Add(new RtcpFeedback(format, sp < 0 ? fb : fb[..sp], sp < 0 ? null : fb[(sp + 1)..]).ToLine());
        }

        if (parameters.Count > 0)
        {
            media.Lines.Add(FormatParameters.Create(format, parameters).ToLine());
        }
    }

    private static void AddSsrc(MediaDescription media, AudioEndpointOptions options, MediaDirection direction)
    {
        if (!direction.Sends())
        {
            return;
        }

        media.Lines.Add(new SsrcAttribute(options.Ssrc, SsrcAttribute.CName, options.CName).ToLine());
        if (options.StreamId is not null)
        {
            // The per-SSRC msid that Chromium still writes beside a=msid (draft-ietf-mmusic-msid legacy).
            media.Lines.Add(new SsrcAttribute(options.Ssrc, SdpAttributeNames.Msid, new Msid(options.StreamId, options.TrackId).ToString()).ToLine());
        }
    }

    private static void AddCandidates(MediaDescription media, AudioEndpointOptions options)
    {
        foreach (string candidate in options.Candidates)
        {
            media.AddCandidate(candidate);
        }

        if (options.EndOfCandidates)
        {
            media.EndOfCandidates = true;
        }
    }

    private static MediaDescription Reject(MediaDescription offered)
    {
        // RFC 3264 §6 / RFC 8829 §5.3.1: same media and proto, port 0, the offered formats; keep the mid.
        var media = new MediaDescription(offered.MediaLine.WithPort(0));
        media.Lines.Add(new SdpConnection("IN", "IP4", "0.0.0.0").ToLine());
        if (offered.Mid is string mid)
        {
            media.Mid = mid;
        }

        return media;
    }

    private static bool TryReadRemoteTransport(SessionDescription sdp, MediaDescription media, int index, [NotNullWhen(true)] out RemoteTransport? remote, [NotNullWhen(false)] out JsepError? error)
    {
        remote = null;
        string? ufrag = sdp.GetEffectiveIceUfrag(media);
        string? pwd = sdp.GetEffectiveIcePwd(media);
        if (ufrag is null || pwd is null)
        {
            error = new JsepError(JsepErrorCode.NoIceCredentials, "no a=ice-ufrag and a=ice-pwd at media or session level (RFC 8839 §5.4)", index);
            return false;
        }

        if (ufrag.Length < 4 || pwd.Length < 22)
        {
            error = new JsepError(JsepErrorCode.InvalidIceCredentials, $"ICE ufrag of {ufrag.Length} and password of {pwd.Length} characters; at least 4 and 22 are required (RFC 8839 §5.4)", index);
            return false;
        }

        IReadOnlyList<SdpFingerprint> fingerprints = sdp.GetEffectiveFingerprints(media);
        if (fingerprints.Count == 0)
        {
            error = new JsepError(JsepErrorCode.NoFingerprint, "no a=fingerprint at media or session level (RFC 8122 §5, RFC 8827 §6.5)", index);
            return false;
        }

        remote = new RemoteTransport(
            ufrag,
            pwd,
            sdp.IceLite,
            sdp.GetEffectiveIceOptions(media),
            fingerprints,
            media.GetCandidates(),
            media.EndOfCandidates);
        error = null;
        return true;
    }

    private static int FindOpus(MediaDescription media)
    {
        // One pass over the rtpmaps, then one over the formats: no product of the two, whatever the input size.
        Dictionary<int, RtpMap> maps = RtpMapsByPayloadType(media);
        foreach (int pt in media.GetPayloadTypes())
        {
            if (maps.TryGetValue(pt, out RtpMap? map) && IsOpus(map))
            {
                return pt;
            }
        }

        return -1;
    }

    private static Dictionary<int, RtpMap> RtpMapsByPayloadType(MediaDescription media)
    {
        var maps = new Dictionary<int, RtpMap>();
        foreach (RtpMap map in media.GetRtpMaps())
        {
            maps.TryAdd(map.PayloadType, map);
        }

        return maps;
    }

    private static bool IsOpus(RtpMap map) => map.Is(OpusName, OpusClockRate) && map.Channels is null or 2;

    private static bool IsDtlsSrtp(string protocol)
    {
        foreach (string p in s_dtlsSrtpProtocols)
        {
            if (string.Equals(p, protocol, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static IReadOnlyList<ExtMap> OfferedExtMaps(SessionDescription sdp, MediaDescription media)
    {
        // RFC 8285 §8: extmap may appear at session level, applying to every media section.
        var list = new List<ExtMap>(media.GetExtMaps());
        list.AddRange(sdp.GetExtMaps());
        return list;
    }

    private static string FeedbackKey(RtcpFeedback fb) => fb.Parameter is null ? fb.Type : fb.Type + " " + fb.Parameter;

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (string s in list)
        {
            if (string.Equals(s, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsId(List<ExtMap> list, int id)
    {
        foreach (ExtMap e in list)
        {
            if (e.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    private static List<RemoteSource> ReadSources(MediaDescription media)
    {
        var cnames = new Dictionary<uint, string?>();
        var order = new List<uint>();
        foreach (SsrcAttribute a in media.GetSsrcAttributes())
        {
            if (!cnames.TryGetValue(a.Ssrc, out string? cname))
            {
                order.Add(a.Ssrc);
                cnames[a.Ssrc] = null;
            }

            if (cname is null && a.Name == SsrcAttribute.CName)
            {
                cnames[a.Ssrc] = a.Value;
            }
        }

        var sources = new List<RemoteSource>(order.Count);
        foreach (uint ssrc in order)
        {
            sources.Add(new RemoteSource(ssrc, cnames[ssrc]));
        }

        return sources;
    }

    private static string AddressTypeOf(string? address) => address is not null && address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4";

    private static T? FirstOrNull<T>(IReadOnlyList<T> list)
        where T : class => list.Count > 0 ? list[0] : null;
}
