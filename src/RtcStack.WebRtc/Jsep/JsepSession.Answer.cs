using System.Diagnostics.CodeAnalysis;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;

namespace RtcStack.WebRtc.Jsep;

/// <summary>Remote offers (RFC 8829 §5.10) and our answers (RFC 8829 §5.3).</summary>
public sealed partial class JsepSession
{
    private static readonly string[] s_dtlsSrtpProtocols =
    [
        "UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP", "TCP/DTLS/RTP/SAVPF", "TCP/DTLS/RTP/SAVP",
        "TCP/TLS/RTP/SAVPF", "TCP/TLS/RTP/SAVP", "RTP/SAVPF", "RTP/SAVP",
    ];

    /// <summary>
    /// Creates the answer to the pending remote offer (RFC 8829 §5.3.1, §5.3.2): one m= section per offered one, in
    /// order, with its mid; accepted sections keep the offer's payload types (RFC 3264 §6.1) for the codecs both sides
    /// have (H.264 matched by profile and packetization-mode, RFC 6184 §8.2.2), RTX where both have it, the offered
    /// header extension ids we support, and the direction the offer allows (RFC 3264 §6.1); sections we cannot use
    /// are rejected with port 0 and named in <see cref="AnswerRejections"/>. The BUNDLE group lists the accepted mids
    /// with the offerer's tagged section first, which alone carries the transport attributes (RFC 8843 §7.3.1).
    /// </summary>
    /// <param name="answer">The answer.</param>
    /// <param name="error">Why none can be created (signaling state).</param>
    /// <returns>Whether an answer was created.</returns>
    public bool TryCreateAnswer([NotNullWhen(true)] out SessionDescription? answer, [NotNullWhen(false)] out JsepError? error)
    {
        answer = null;
        if (SignalingState is not (SignalingState.HaveRemoteOffer or SignalingState.HaveLocalPranswer))
        {
            error = new JsepError(JsepErrorCode.InvalidState, $"an answer needs a remote offer; the signaling state is {SignalingState} (RFC 8829 §3.2)");
            return false;
        }

        SessionDescription offer = PendingRemoteDescription!;
        var sections = new List<MediaSection>(_sections.Count);
        foreach (MediaSection s in _sections)
        {
            sections.Add(s.Clone());
        }

        SdpGroup? group = FirstBundleGroup(offer);
        int tag = TagIndex(offer, group);
        MediaDescription? tagged = tag >= 0 ? offer.MediaDescriptions[tag] : null;
        SetupRole localSetup = tagged is null ? _options.AnswerSetup : AnswerSetupFor(offer.GetEffectiveSetup(tagged));
        bool allowMixed = _options.ExtMapAllowMixed && (offer.ExtMapAllowMixed || AnyMediaAllowsMixed(offer));
        SessionDescription sdp = NewDescription(allowMixed);
        var rejections = new List<JsepError>();
        var accepted = new List<string>();
        var written = new List<MediaDescription>(offer.MediaDescriptions.Count);
        for (int i = 0; i < offer.MediaDescriptions.Count; i++)
        {
            MediaDescription m = offer.MediaDescriptions[i];
            MediaSection s = sections[i];
            JsepError? reason = Analyze(offer, i, group, tag, s, out List<AnsweredCodec>? codecs, out List<ExtMap>? extensions);
            if (reason is not null || m.IsRejected)
            {
                if (reason is not null && !m.IsRejected)
                {
                    rejections.Add(reason);
                }

                written.Add(WriteRejected(m.Media, m.MediaLine.Protocol, m.MediaLine.Formats, m.Mid));
                continue;
            }

            Transceiver t = s.Transceiver!;
            SetupRole? setup = i == tag ? localSetup : null;
            MediaDescription answered;
            if (t.Kind == MediaKind.Application)
            {
                answered = WriteData(m.Mid!, m.MediaLine.Protocol, 9, bundleOnly: false, setup);
            }
            else
            {
                var writtenCodecs = new List<WrittenCodec>(codecs!.Count);
                foreach (AnsweredCodec c in codecs)
                {
                    writtenCodecs.Add(new WrittenCodec(c.Offered.PayloadType, c.Offered.Name, c.Offered.ClockRate, c.Offered.Channels ?? c.Capability.Channels, c.Parameters, c.Feedback, c.RtxPayloadType));
                    string key = SdpCodec.KeyOf(c.Capability);
                    if (!s.PayloadTypes.ContainsKey(key) || !ContainsPayloadType(codecs, s.PayloadTypes[key]))
                    {
                        s.PayloadTypes[key] = c.Offered.PayloadType;
                    }

                    if (c.RtxPayloadType is int rtx)
                    {
                        s.PayloadTypes[key + "/rtx"] = rtx;
                    }
                }

                foreach (ExtMap e in extensions!)
                {
                    s.ExtensionIds[e.Uri] = e.Id;
                }

                MediaDirection direction = offer.GetEffectiveDirection(m).AnswerTo(t.Direction);

                bool ridExtension = ContainsUri(extensions, JsepOptions.RidUri);
                var sendRids = new List<Rid>();
                var sendStreams = new List<IReadOnlyList<SimulcastStream>>();
                if (direction.Sends() && ridExtension && t.SendEncodings.Count > 0)
                {
                    AnswerSimulcastStreams(m, writtenCodecs, RidDirection.Receive, t.SendEncodings, sendRids, sendStreams);
                }

                var receiveRids = new List<Rid>();
                var receiveStreams = new List<IReadOnlyList<SimulcastStream>>();
                if (direction.Receives() && ridExtension)
                {
                    AnswerSimulcastStreams(m, writtenCodecs, RidDirection.Send, null, receiveRids, receiveStreams);
                }

                // RFC 8858 §4.3 / RFC 8843 §9.3.1.2: "a=rtcp-mux-only" offered is answered in the same section.
                answered = WriteRtp(t, m.Mid!, m.MediaLine.Protocol, 9, bundleOnly: false, setup, direction, writtenCodecs, extensions, m.RtcpMuxOnly, m.RtcpReducedSize && _options.RtcpReducedSize, writeSsrcs: sendStreams.Count == 0);
                WriteSimulcast(answered, sendRids, sendStreams, receiveRids, receiveStreams);
            }

            s.Formats = answered.MediaLine.Formats;
            accepted.Add(m.Mid!);
            written.Add(answered);
        }

        if (group is not null && accepted.Count > 0)
        {
            sdp.Lines.Add(new SdpGroup(SdpGroup.Bundle, accepted).ToLine());
        }

        foreach (MediaDescription m in written)
        {
            sdp.MediaDescriptions.Add(m);
        }

        _createdAnswer = new PendingAnswer(sdp, sections);
        AnswerRejections = rejections;
        answer = sdp;
        error = null;
        return true;
    }

    /// <summary>
    /// RFC 8853 §5.3 (answerer): the streams of an offered "a=simulcast" that we accept, in the offer's order, each rid
    /// with its answering "a=rid" line (RFC 8851 §5.2: the answer reverses the direction, keeps only payload types of the
    /// answer in "pt=", and drops a rid left with none). <paramref name="offeredDirection"/> Send reads the offer's
    /// "send" streams (we receive them); Receive reads its "recv" streams (we send them, only those whose RID is one of
    /// <paramref name="ours"/>, the transceiver's send encodings). A rid the offer lists without an "a=rid" line of that
    /// direction, or twice, is left out (RFC 8853 §5.2: each sc-id needs its rid line). Nothing is accepted without the
    /// RID header extension (RFC 8853 §5.4: it is how the streams are told apart); the caller checks that.
    /// </summary>
    private static void AnswerSimulcastStreams(
        MediaDescription offered,
        IReadOnlyList<WrittenCodec> codecs,
        RidDirection offeredDirection,
        IReadOnlyList<SendEncoding>? ours,
        List<Rid> accepted,
        List<IReadOnlyList<SimulcastStream>> streams)
    {
        if (offered.Simulcast is not { } simulcast)
        {
            return;
        }

        IReadOnlyList<IReadOnlyList<SimulcastStream>> offeredStreams = offeredDirection == RidDirection.Send ? simulcast.Send : simulcast.Receive;
        IReadOnlyList<Rid> rids = offered.GetRids();
        foreach (IReadOnlyList<SimulcastStream> alternatives in offeredStreams)
        {
            var kept = new List<SimulcastStream>();
            foreach (SimulcastStream sc in alternatives)
            {
                Rid? rid = rids.FirstOrDefault(r => r.Direction == offeredDirection && string.Equals(r.Id, sc.Rid, StringComparison.Ordinal));
                if (rid is null || accepted.Exists(a => string.Equals(a.Id, sc.Rid, StringComparison.Ordinal))
                    || (ours is not null && !ours.Any(e => string.Equals(e.Rid, sc.Rid, StringComparison.Ordinal)))
                    || AnswerRid(rid, codecs) is not Rid answered)
                {
                    continue;
                }

                accepted.Add(answered);
                kept.Add(sc);
            }

            if (kept.Count > 0)
            {
                streams.Add(kept);
            }
        }
    }

    /// <summary>The rid answering an offered one, its direction reversed: pt= narrowed to the answer's payload types (null when none is left), other restrictions kept.</summary>
    private static Rid? AnswerRid(Rid offered, IReadOnlyList<WrittenCodec> codecs)
    {
        IReadOnlyList<string> pts = offered.GetPayloadTypes();
        var parts = new List<string>();
        if (pts.Count > 0)
        {
            var keep = new List<string>();
            foreach (string pt in pts)
            {
                foreach (WrittenCodec c in codecs)
                {
                    if (string.Equals(c.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture), pt, StringComparison.Ordinal))
                    {
                        keep.Add(pt);
                        break;
                    }
                }
            }

            if (keep.Count == 0)
            {
                return null;
            }

            parts.Add("pt=" + string.Join(',', keep));
        }

        foreach (FormatParameter p in offered.GetRestrictions())
        {
            parts.Add(p.ToString());
        }

        return new Rid(offered.Id, offered.Direction == RidDirection.Send ? RidDirection.Receive : RidDirection.Send, parts.Count > 0 ? string.Join(';', parts) : null);
    }

    private static bool ContainsPayloadType(List<AnsweredCodec> codecs, int pt)
    {
        foreach (AnsweredCodec c in codecs)
        {
            if (c.Offered.PayloadType == pt)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyMediaAllowsMixed(SessionDescription sdp)
    {
        foreach (MediaDescription m in sdp.MediaDescriptions)
        {
            if (m.ExtMapAllowMixed)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 8842 §5.3: answer actpass with our preference (or the role already established, RFC 8842 §5.5), active with passive and passive with active.</summary>
    private SetupRole AnswerSetupFor(SetupRole? offered) => offered switch
    {
        SetupRole.Active => SetupRole.Passive,
        SetupRole.Passive => SetupRole.Active,
        _ => _establishedLocalSetup ?? _options.AnswerSetup,
    };

    private static SdpGroup? FirstBundleGroup(SessionDescription sdp)
    {
        IReadOnlyList<SdpGroup> groups = sdp.GetBundleGroups();
        return groups.Count > 0 ? groups[0] : null;
    }

    /// <summary>The offerer-tagged section (RFC 8843 §7.2: the first mid of the group), or without BUNDLE the first section not rejected.</summary>
    private static int TagIndex(SessionDescription sdp, SdpGroup? group)
    {
        for (int i = 0; i < sdp.MediaDescriptions.Count; i++)
        {
            MediaDescription m = sdp.MediaDescriptions[i];
            if (group is null ? !m.IsRejected : group.Mids.Count > 0 && string.Equals(m.Mid, group.Mids[0], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Decides whether offered section <paramref name="index"/> can be accepted, and with what; null when it can, otherwise the reason.</summary>
    private JsepError? Analyze(SessionDescription offer, int index, SdpGroup? group, int tag, MediaSection section, out List<AnsweredCodec>? codecs, out List<ExtMap>? extensions)
    {
        codecs = null;
        extensions = null;
        MediaDescription m = offer.MediaDescriptions[index];
        string? mid = m.Mid;
        if (m.IsRejected)
        {
            return null;
        }

        if (section.Kind is not MediaKind kind)
        {
            return Reason(JsepErrorCode.UnsupportedMedia, $"m={m.Media} is not audio, video or application (RFC 3264 §6)", index, mid);
        }

        // A stopped transceiver's section is rejected (RFC 8829 §5.3.1), except the offerer-tagged one: rejecting it
        // would take the BUNDLE transport away from the whole group (RFC 8843 §7.3.3), so it is answered inactive
        // and rejected in our next offer instead.
        if (section.Transceiver is not { } t || (t.Stopping && (group is null || index != tag)))
        {
            return Reason(JsepErrorCode.TransceiverStopped, "the transceiver of this section is stopped (RFC 8829 §5.3.1)", index, mid);
        }

        if (group is null ? index != tag : mid is null || !group.Mids.Contains(mid))
        {
            return Reason(JsepErrorCode.BundleMismatch, "the section is outside the BUNDLE group; this endpoint uses one transport (RFC 8843 §7.3.2)", index, mid);
        }

        if (kind == MediaKind.Application)
        {
            if (!(string.Equals(m.MediaLine.Protocol, SctpProtocol, StringComparison.Ordinal) || string.Equals(m.MediaLine.Protocol, "TCP/DTLS/SCTP", StringComparison.Ordinal))
                || !m.MediaLine.Formats.Contains(DataChannelFormat))
            {
                return Reason(JsepErrorCode.UnsupportedProtocol, $"application section with {m.MediaLine.Protocol} {string.Join(' ', m.MediaLine.Formats)}, not UDP/DTLS/SCTP webrtc-datachannel (RFC 8841 §4)", index, mid);
            }

            return null;
        }

        if (!IsDtlsSrtp(m.MediaLine.Protocol))
        {
            return Reason(JsepErrorCode.UnsupportedProtocol, $"{m.Media} section uses {m.MediaLine.Protocol}, not DTLS-SRTP (RFC 8827 §6.5)", index, mid);
        }

        if (!m.RtcpMux)
        {
            return Reason(JsepErrorCode.RtcpMuxRequired, "no a=rtcp-mux; RTP and RTCP must share the transport (RFC 8829 §4.1.1 rtcpMuxPolicy require, RFC 5761)", index, mid);
        }

        List<SdpCodec> offered = SdpCodec.Read(m);
        IReadOnlyList<CodecCapability> capabilities = CodecsFor(t);
        codecs = [];
        foreach (SdpCodec oc in offered)
        {
            if (oc.IsRtx)
            {
                continue;
            }

            foreach (CodecCapability cap in capabilities)
            {
                if (!oc.Matches(cap))
                {
                    continue;
                }

                int? rtx = null;
                if (cap.Rtx)
                {
                    foreach (SdpCodec r in offered)
                    {
                        if (r.Apt == oc.PayloadType && r.ClockRate == oc.ClockRate)
                        {
                            rtx = r.PayloadType;
                            break;
                        }
                    }
                }

                var feedback = new List<string>();
                foreach (string f in oc.Feedback)
                {
                    if (cap.Feedback.Contains(f) && !feedback.Contains(f))
                    {
                        feedback.Add(f);
                    }
                }

                codecs.Add(new AnsweredCodec(oc, cap, oc.AnswerParameters(cap), feedback, rtx));
                break;
            }
        }

        // RFC 2198 §5: RED is only usable over primaries both sides have; one naming anything else is left out.
        List<AnsweredCodec> answered = codecs;
        foreach (AnsweredCodec unusable in answered.FindAll(c => c.Offered.IsRed && !RedNamesAnsweredCodecs(c, answered)))
        {
            answered.Remove(unusable);
        }

        if (codecs.Count == 0 || AllRedundancy(codecs))
        {
            codecs = null;
            return Reason(JsepErrorCode.NoCommonCodec, $"none of the offered {m.Media} codecs is one we have (RFC 3264 §6.1)", index, mid);
        }

        extensions = [];
        foreach (ExtMap e in OfferedExtMaps(offer, m))
        {
            if (e.Id is < 1 or > 255 or 15 || ContainsUri(extensions, e.Uri) || ContainsId(extensions, e.Id) || !Supports(kind, e.Uri))
            {
                continue;
            }

            extensions.Add(new ExtMap(e.Id, e.Uri, e.Direction?.Reverse()));
        }

        return null;
    }

    private static bool RedNamesAnsweredCodecs(AnsweredCodec red, List<AnsweredCodec> codecs)
    {
        if (SdpCodec.RedPayloadTypes(red.Offered.Parameters) is not byte[] pts)
        {
            return false;
        }

        foreach (byte pt in pts)
        {
            if (!codecs.Exists(c => c.Offered.PayloadType == pt && !c.Offered.IsRed))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllRedundancy(List<AnsweredCodec> codecs)
    {
        foreach (AnsweredCodec c in codecs)
        {
            if (!c.Offered.IsRed && !IsTelephoneEvent(c.Offered.Name))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTelephoneEvent(string name) => string.Equals(name, "telephone-event", StringComparison.OrdinalIgnoreCase);

    private bool Supports(MediaKind kind, string uri)
    {
        foreach (HeaderExtensionCapability cap in _options.HeaderExtensions)
        {
            if (cap.Kind == kind && string.Equals(cap.Uri, uri, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static JsepError Reason(JsepErrorCode code, string message, int index, string? mid) => new(code, message, index) { Mid = mid };

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

    /// <summary>RFC 8285 §8: extmap may appear at session level, applying to every media section.</summary>
    private static List<ExtMap> OfferedExtMaps(SessionDescription sdp, MediaDescription media)
    {
        var list = new List<ExtMap>(media.GetExtMaps());
        list.AddRange(sdp.GetExtMaps());
        return list;
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

    /// <summary>
    /// RFC 8829 §5.10: checks a remote offer and associates its m= sections with transceivers. Nothing changes when it
    /// is refused.
    /// </summary>
    private bool TryApplyRemoteOffer(SessionDescription offer, [NotNullWhen(false)] out JsepError? error)
    {
        Snapshot? before = null;
        if (SignalingState == SignalingState.HaveRemoteOffer)
        {
            // A new remote offer replaces the pending one: start again from the state before the first.
            before = _snapshot;
            Rollback();
        }

        if (!TryAssociateRemoteOffer(offer, out error))
        {
            if (before is not null)
            {
                error = error with { Message = error.Message + " (the pending remote offer was discarded)" };
            }

            return false;
        }

        _snapshot = before ?? _snapshot;
        PendingRemoteDescription = offer;
        SignalingState = SignalingState.HaveRemoteOffer;
        return true;
    }

    private bool TryAssociateRemoteOffer(SessionDescription offer, [NotNullWhen(false)] out JsepError? error)
    {
        IList<MediaDescription> media = offer.MediaDescriptions;
        if (media.Count < _sections.Count)
        {
            error = new JsepError(JsepErrorCode.MediaSectionRemoved, $"the offer has {media.Count} m= sections; {_sections.Count} were negotiated and m= sections are never removed (RFC 3264 §8)");
            return false;
        }

        var mids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < media.Count; i++)
        {
            string? mid = media[i].Mid;
            if (mid is null || !mids.Add(mid))
            {
                error = Reason(JsepErrorCode.InvalidMid, mid is null ? "no a=mid (RFC 8829 §5.10 requires one per m= section)" : $"mid {mid} appears twice (RFC 5888 §4)", i, mid);
                return false;
            }
        }

        if (!TryCheckBundle(offer, out SdpGroup? group, out error))
        {
            return false;
        }

        int tag = TagIndex(offer, group);
        if (tag >= 0 && !TryCheckTransport(offer, tag, isAnswer: false, out error))
        {
            return false;
        }

        var sections = new List<MediaSection>(media.Count);
        foreach (MediaSection s in _sections)
        {
            sections.Add(s.Clone());
        }

        var created = new List<Transceiver>();
        var taken = new HashSet<Transceiver>();
        foreach (MediaSection s in sections)
        {
            if (s.Transceiver is Transceiver t)
            {
                taken.Add(t);
            }
        }

        var newMids = new List<string>();
        for (int i = 0; i < media.Count; i++)
        {
            MediaDescription m = media[i];
            string mid = m.Mid!;
            MediaKind? kind = KindOf(m.Media);
            if (i < sections.Count)
            {
                MediaSection s = sections[i];
                if (string.Equals(s.Mid, mid, StringComparison.Ordinal))
                {
                    if (!string.Equals(s.Media, m.Media, StringComparison.Ordinal))
                    {
                        error = Reason(JsepErrorCode.KindMismatch, $"m= section {i} (mid {mid}) changed from {s.Media} to {m.Media} without a new mid (RFC 8829 §5.10)", i, mid);
                        return false;
                    }

                    if (s.Rejected && !m.IsRejected)
                    {
                        error = Reason(JsepErrorCode.InvalidMid, $"m= section {i} was rejected and comes back with its old mid {mid}; a recycled m-line gets a new mid (RFC 8829 §5.2.2)", i, mid);
                        return false;
                    }

                    s.Rejected = m.IsRejected;
                    s.Formats = m.MediaLine.Formats;
                    continue;
                }

                if (!s.Rejected)
                {
                    error = s.Media == m.Media
                        ? Reason(JsepErrorCode.InvalidMid, $"m= section {i} changed its mid from {s.Mid} to {mid} but was not rejected (RFC 8829 §5.2.2: only a rejected m-line is recycled)", i, mid)
                        : Reason(JsepErrorCode.KindMismatch, $"m= section {i} changed from {s.Media} to {m.Media} but was not rejected (RFC 8829 §5.2.2)", i, mid);
                    return false;
                }
            }

            if (_usedMids.Contains(mid))
            {
                error = Reason(JsepErrorCode.InvalidMid, $"the new or recycled m= section {i} reuses mid {mid} (RFC 8829 §5.2.2: a recycled m-line gets a new mid)", i, mid);
                return false;
            }

            var section = new MediaSection(m.Media, m.MediaLine.Protocol, kind, mid) { Rejected = m.IsRejected, Formats = m.MediaLine.Formats };
            if (!m.IsRejected && kind is MediaKind k)
            {
                Transceiver? match = null;
                foreach (Transceiver t in _transceivers)
                {
                    if (t.Kind == k && t.MLineIndex is null && !t.Stopping && !taken.Contains(t))
                    {
                        match = t;
                        break;
                    }
                }

                if (match is null)
                {
                    // W3C setRemoteDescription: a section no transceiver takes gets a new one that only receives.
                    match = new Transceiver(this, k, k == MediaKind.Application ? MediaDirection.SendRecv : MediaDirection.RecvOnly, NextSsrc(), NextSsrc(), RandomToken(12))
                    {
                        CreatedByRemoteOffer = true,
                    };
                    created.Add(match);
                }

                taken.Add(match);
                section.Transceiver = match;
            }

            newMids.Add(mid);
            if (i < sections.Count)
            {
                sections[i] = section;
            }
            else
            {
                sections.Add(section);
            }
        }

        // RFC 8843 §7.3.3: the offerer-tagged section cannot be rejected without rejecting the group; refuse the offer
        // now, naming why, rather than write an answer the offerer cannot use.
        if (tag >= 0 && group is not null)
        {
            JsepError? reason = Analyze(offer, tag, group, tag, sections[tag], out _, out _);
            if (reason is not null)
            {
                error = reason with { Message = reason.Message + "; it is the BUNDLE-tagged section, which cannot be rejected (RFC 8843 §7.3.3)" };
                return false;
            }
        }

        if (SignalingState == SignalingState.Stable)
        {
            _snapshot = TakeSnapshot();
        }

        foreach (MediaSection s in sections)
        {
            // A section the offer rejects stops its transceiver once the exchange completes (RFC 8829 §5.10).
            if (s.Rejected && s.Transceiver is { Stopping: false } t)
            {
                t.Stopping = true;
                t.RestoreDirection(MediaDirection.Inactive);
            }
        }

        _transceivers.AddRange(created);
        _sections = sections;
        foreach (string mid in newMids)
        {
            _usedMids.Add(mid);
        }

        SyncTransceivers();
        error = null;
        return true;
    }

    private bool TryApplyLocalAnswer(SessionDescription description, bool provisional, [NotNullWhen(false)] out JsepError? error)
    {
        PendingAnswer? created = _createdAnswer;
        error = null;
        if (created is null || !SameSections(created.Description, description, out error))
        {
            error ??= new JsepError(JsepErrorCode.DescriptionMismatch, "no answer was created for the pending offer (RFC 8829 §5.5)");
            return false;
        }

        if (provisional)
        {
            PendingLocalDescription = description;
            SignalingState = SignalingState.HaveLocalPranswer;
            error = null;
            return true;
        }

        _sections = created.Sections;
        _createdAnswer = null;
        _localVersion = description.Origin.SessionVersion;
        Commit(local: description, remote: PendingRemoteDescription!, weOffered: false);
        error = null;
        return true;
    }

    /// <summary>One offered codec we accept, with what we answer for it.</summary>
    private sealed record AnsweredCodec(SdpCodec Offered, CodecCapability Capability, IReadOnlyList<FormatParameter> Parameters, IReadOnlyList<string> Feedback, int? RtxPayloadType);
}
