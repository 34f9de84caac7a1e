using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;

namespace RtcStack.WebRtc.Jsep;

/// <summary>Remote answers (RFC 8829 §5.10) and what a completed exchange negotiated (RFC 8829 §5.8).</summary>
public sealed partial class JsepSession
{
    /// <summary>RFC 8843 §7.3 / §7.2: every mid of the group names a section, none of them rejected.</summary>
    private static bool TryCheckBundle(SessionDescription sdp, out SdpGroup? group, [NotNullWhen(false)] out JsepError? error)
    {
        group = FirstBundleGroup(sdp);
        error = null;
        if (group is null)
        {
            return true;
        }

        if (group.Mids.Count == 0)
        {
            // RFC 5888 §5's grammar allows "a=group:BUNDLE" with no tag, but a BUNDLE group needs the offerer-tagged
            // section, its first mid (RFC 8843 §7.2), to carry the transport. (Found by the sdp fuzz target.)
            error = new JsepError(JsepErrorCode.BundleMismatch, "the BUNDLE group names no mid; its first mid is the tagged section that carries the transport (RFC 8843 §7.2)");
            return false;
        }

        foreach (string mid in group.Mids)
        {
            MediaDescription? m = sdp.FindMedia(mid);
            if (m is null)
            {
                error = new JsepError(JsepErrorCode.BundleMismatch, $"the BUNDLE group names mid {mid}, which no m= section has (RFC 5888 §5)") { Mid = mid };
                return false;
            }

            if (m.IsRejected)
            {
                error = new JsepError(JsepErrorCode.BundleMismatch, $"the BUNDLE group holds mid {mid}, whose m= section is rejected (RFC 8843 §7.3.3: rejected sections leave the group)", sdp.MediaDescriptions.IndexOf(m)) { Mid = mid };
                return false;
            }
        }

        MediaDescription? tagged = sdp.FindMedia(group.Mids[0]);
        if (tagged is not null && tagged.BundleOnly)
        {
            error = new JsepError(JsepErrorCode.BundleMismatch, $"the BUNDLE-tagged section (mid {group.Mids[0]}) is bundle-only; the tagged section carries the transport (RFC 8843 §6)", sdp.MediaDescriptions.IndexOf(tagged)) { Mid = group.Mids[0] };
            return false;
        }

        return true;
    }

    /// <summary>RFC 8843 §7.1.3: the tagged section (or the session level) carries the ICE credentials, fingerprint and setup.</summary>
    private static bool TryCheckTransport(SessionDescription sdp, int tag, bool isAnswer, [NotNullWhen(false)] out JsepError? error)
    {
        MediaDescription m = sdp.MediaDescriptions[tag];
        string? ufrag = sdp.GetEffectiveIceUfrag(m);
        string? pwd = sdp.GetEffectiveIcePwd(m);
        if (ufrag is null || pwd is null)
        {
            error = Reason(JsepErrorCode.NoIceCredentials, "no a=ice-ufrag and a=ice-pwd in the tagged m= section or at session level (RFC 8839 §5.4)", tag, m.Mid);
            return false;
        }

        if (ufrag.Length < 4 || pwd.Length < 22)
        {
            error = Reason(JsepErrorCode.InvalidIceCredentials, $"ICE ufrag of {ufrag.Length} and password of {pwd.Length} characters; at least 4 and 22 are required (RFC 8839 §5.4)", tag, m.Mid);
            return false;
        }

        IReadOnlyList<SdpFingerprint> fingerprints = sdp.GetEffectiveFingerprints(m);
        if (fingerprints.Count == 0)
        {
            error = Reason(JsepErrorCode.NoFingerprint, "no a=fingerprint in the tagged m= section or at session level (RFC 8122 §5, RFC 8827 §6.5)", tag, m.Mid);
            return false;
        }

        if (!TryCheckFingerprints(fingerprints, out string? fingerprintError))
        {
            error = Reason(JsepErrorCode.InvalidFingerprint, fingerprintError, tag, m.Mid);
            return false;
        }

        SetupRole? setup = sdp.GetEffectiveSetup(m);
        if (setup == SetupRole.HoldConn || (isAnswer && setup == SetupRole.ActPass))
        {
            error = Reason(JsepErrorCode.InvalidSetup, $"a=setup:{setup!.Value.ToSdpString()} cannot set up DTLS in {(isAnswer ? "an answer" : "an offer")} (RFC 8842 §5.3)", tag, m.Mid);
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// RFC 8122 §5: a fingerprint for a hash function DTLS knows must have that function's length; fingerprints for
    /// others (MD2 and MD5, which RFC 8122 §5 forbids, sha-224, unregistered tokens) are left aside, and at least one
    /// usable one must remain for DTLS to check the certificate against (RFC 8827 §6.5).
    /// </summary>
    private static bool TryCheckFingerprints(IReadOnlyList<SdpFingerprint> fingerprints, [NotNullWhen(false)] out string? error)
    {
        bool usable = false;
        foreach (SdpFingerprint fp in fingerprints)
        {
            if (Dtls.DtlsFingerprint.TryParse(fp.ToString(), out _))
            {
                usable = true;
                continue;
            }

            int? expected = fp.HashFunction.ToLowerInvariant() switch
            {
                "sha-1" => 20,
                "sha-256" => 32,
                "sha-384" => 48,
                "sha-512" => 64,
                _ => null,
            };
            if (expected is int length)
            {
                int bytes = (fp.Value.Length + 1) / 3;
                error = $"a=fingerprint:{fp.HashFunction} has {bytes} bytes where a {fp.HashFunction} hash has {length} (RFC 8122 §5: the fingerprint is the hash of the certificate)";
                return false;
            }
        }

        if (!usable)
        {
            string named = string.Join(", ", fingerprints.Select(f => f.HashFunction));
            error = $"no a=fingerprint uses a hash function DTLS can verify (sha-256, sha-384, sha-512 or sha-1; given: {named}); RFC 8122 §5 rules out MD2 and MD5, and RFC 8827 §6.5 needs a fingerprint the certificate can be checked against";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// RFC 8829 §5.10 / RFC 3264 §7: the answer has our m= sections in order with their mids and media, its BUNDLE group
    /// is within ours and holds every section it accepts, its tagged section carries the transport, and each accepted
    /// RTP section keeps a codec we offered.
    /// </summary>
    private bool TryApplyRemoteAnswer(SessionDescription answer, bool provisional, [NotNullWhen(false)] out JsepError? error)
    {
        SessionDescription offer = PendingLocalDescription!;
        if (answer.MediaDescriptions.Count != offer.MediaDescriptions.Count)
        {
            error = new JsepError(JsepErrorCode.MediaCountMismatch, $"the answer has {answer.MediaDescriptions.Count} m= sections for the {offer.MediaDescriptions.Count} offered (RFC 3264 §6)");
            return false;
        }

        SdpGroup? offeredGroup = FirstBundleGroup(offer);
        if (!TryCheckBundle(answer, out SdpGroup? group, out error))
        {
            return false;
        }

        for (int i = 0; i < offer.MediaDescriptions.Count; i++)
        {
            MediaDescription ours = offer.MediaDescriptions[i];
            MediaDescription theirs = answer.MediaDescriptions[i];
            if (!string.Equals(ours.Media, theirs.Media, StringComparison.Ordinal))
            {
                error = Reason(JsepErrorCode.KindMismatch, $"answer section {i} is {theirs.Media}; we offered {ours.Media} (RFC 3264 §6)", i, ours.Mid);
                return false;
            }

            if (!string.Equals(ours.Mid, theirs.Mid, StringComparison.Ordinal))
            {
                error = Reason(JsepErrorCode.MidMismatch, $"answer section {i} has mid {theirs.Mid ?? "(none)"}; we offered mid {ours.Mid ?? "(none)"} (RFC 8829 §5.3.1)", i, ours.Mid);
                return false;
            }

            if (ours.IsRejected && !theirs.IsRejected)
            {
                error = Reason(JsepErrorCode.BundleMismatch, $"answer section {i} accepts an m= section we rejected (RFC 3264 §6)", i, ours.Mid);
                return false;
            }

            if (theirs.IsRejected || ours.IsRejected)
            {
                continue;
            }

            if (offeredGroup is not null && (group is null || !group.Mids.Contains(theirs.Mid!) || !offeredGroup.Mids.Contains(theirs.Mid!)))
            {
                error = Reason(JsepErrorCode.BundleMismatch, $"answer section {i} (mid {theirs.Mid}) is accepted outside the BUNDLE group we offered; this endpoint has one transport (RFC 8843 §7.3.1)", i, theirs.Mid);
                return false;
            }

            if (KindOf(ours.Media) is MediaKind.Audio or MediaKind.Video && !HasCommonCodec(ours, theirs))
            {
                error = Reason(JsepErrorCode.NoCommonCodec, $"the answer's {theirs.Media} section keeps none of the payload types we offered (RFC 3264 §6.1)", i, theirs.Mid);
                return false;
            }
        }

        int tag = TagIndex(answer, group);
        if (tag >= 0 && !TryCheckTransport(answer, tag, isAnswer: true, out error))
        {
            return false;
        }

        if (provisional)
        {
            PendingRemoteDescription = answer;
            SignalingState = SignalingState.HaveRemotePranswer;
            return true;
        }

        Commit(local: offer, remote: answer, weOffered: true);
        error = null;
        return true;
    }

    private static bool HasCommonCodec(MediaDescription ours, MediaDescription theirs)
    {
        List<SdpCodec> a = SdpCodec.Read(ours);
        foreach (SdpCodec b in SdpCodec.Read(theirs))
        {
            if (!b.IsRtx && Find(a, b.PayloadType) is SdpCodec mine && mine.Matches(b))
            {
                return true;
            }
        }

        return false;
    }

    private static SdpCodec? Find(List<SdpCodec> codecs, int payloadType)
    {
        foreach (SdpCodec c in codecs)
        {
            if (c.PayloadType == payloadType)
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>Completes an exchange: computes <see cref="NegotiatedSections"/> and <see cref="NegotiatedTransport"/> and updates the transceivers.</summary>
    private void Commit(SessionDescription local, SessionDescription remote, bool weOffered)
    {
        SessionDescription offer = weOffered ? local : remote;
        SessionDescription answer = weOffered ? remote : local;
        var negotiated = new List<NegotiatedSection>(local.MediaDescriptions.Count);
        for (int i = 0; i < local.MediaDescriptions.Count; i++)
        {
            MediaSection s = _sections[i];
            MediaDescription l = local.MediaDescriptions[i];
            MediaDescription r = remote.MediaDescriptions[i];
            bool stopped = l.IsRejected || r.IsRejected;
            Transceiver? t = s.Transceiver;
            s.Rejected = stopped;
            if (stopped)
            {
                if (t is not null)
                {
                    t.Stopping = true;
                    t.Stopped = true;
                    t.RestoreDirection(MediaDirection.Inactive);
                    t.CurrentDirection = null;
                }

                negotiated.Add(new NegotiatedSection { MLineIndex = i, Mid = s.Mid, Kind = s.Kind ?? MediaKind.Application, Transceiver = t, Stopped = true, Direction = MediaDirection.Inactive });
                continue;
            }

            MediaDirection ld = local.GetEffectiveDirection(l);
            MediaDirection rd = remote.GetEffectiveDirection(r);
            MediaDirection direction = s.Kind == MediaKind.Application ? MediaDirection.SendRecv : MediaDirectionExtensions.FromSendReceive(ld.Sends() && rd.Receives(), ld.Receives() && rd.Sends());
            if (t is not null)
            {
                t.CurrentDirection = direction;
                t.CreatedByRemoteOffer = false;
            }

            negotiated.Add(s.Kind == MediaKind.Application
                ? new NegotiatedSection
                {
                    MLineIndex = i,
                    Mid = s.Mid,
                    Kind = MediaKind.Application,
                    Transceiver = t,
                    Stopped = false,
                    Direction = direction,
                    RemoteSctpPort = ParseInt(r.GetAttribute("sctp-port")),
                    RemoteMaxMessageSize = ParseLong(r.GetAttribute("max-message-size")),
                }
                : NegotiateRtp(i, s, t!, local, l, remote, r, offer, answer, weOffered, direction));
        }

        foreach (MediaSection s in _sections)
        {
            foreach (KeyValuePair<string, int> pt in s.PayloadTypes)
            {
                _sessionPayloadTypes[pt.Key] = pt.Value;
            }

            foreach (KeyValuePair<string, int> id in s.ExtensionIds)
            {
                _sessionExtensionIds[id.Key] = id.Value;
            }
        }

        NegotiatedTransport = ReadTransport(local, remote, weOffered);
        NegotiatedSections = negotiated;
        CurrentLocalDescription = local;
        CurrentRemoteDescription = remote;
        PendingLocalDescription = null;
        PendingRemoteDescription = null;
        _snapshot = null;
        _createdOffer = null;
        _createdAnswer = null;
        SignalingState = SignalingState.Stable;
        SyncTransceivers();
    }

    private NegotiatedSection NegotiateRtp(
        int index,
        MediaSection s,
        Transceiver t,
        SessionDescription local,
        MediaDescription l,
        SessionDescription remote,
        MediaDescription r,
        SessionDescription offer,
        SessionDescription answer,
        bool weOffered,
        MediaDirection direction)
    {
        List<SdpCodec> lc = SdpCodec.Read(l);
        List<SdpCodec> rc = SdpCodec.Read(r);

        // RFC 3264 §5.1: a payload type in a description names what its writer receives; we send with the remote's.
        List<NegotiatedCodec> send = Intersect(rc, lc);
        List<NegotiatedCodec> receive = Intersect(lc, rc);

        MediaDescription offered = weOffered ? l : r;
        MediaDescription answered = weOffered ? r : l;
        var extensions = new List<ExtMap>();
        List<ExtMap> offeredExtensions = OfferedExtMaps(offer, offered);
        foreach (ExtMap e in OfferedExtMaps(answer, answered))
        {
            if (ContainsUri(offeredExtensions, e.Uri) && !ContainsUri(extensions, e.Uri) && !ContainsId(extensions, e.Id))
            {
                extensions.Add(new ExtMap(e.Id, e.Uri));
                s.ExtensionIds[e.Uri] = e.Id;
            }
        }

        bool rtx = false;
        foreach (NegotiatedCodec c in send)
        {
            rtx |= c.RtxPayloadType is not null;
        }

        string? cname = null;
        Msid? msid = FirstOrNull(r.GetMsids());
        foreach (SsrcAttribute a in r.GetSsrcAttributes())
        {
            if (cname is null && a.Name == SsrcAttribute.CName)
            {
                cname = a.Value;
            }

            if (msid is null && a.Name == SdpAttributeNames.Msid && a.Value is not null && Msid.TryParse(a.Value, out Msid? legacy))
            {
                msid = legacy;
            }
        }

        // RFC 8853 §5.4: the simulcast streams we send; the first one's SSRCs are the section's own.
        List<string> sendRids = direction.Sends() && ContainsUri(extensions, JsepOptions.RidUri) ? SendRidsOf(l, r, t) : [];
        SendEncoding? first = sendRids.Count > 0 ? t.SendEncodings.First(e => e.Rid == sendRids[0]) : null;
        return new NegotiatedSection
        {
            MLineIndex = index,
            Mid = s.Mid,
            Kind = t.Kind,
            Transceiver = t,
            Stopped = false,
            Direction = direction,
            SendCodecs = send,
            ReceiveCodecs = receive,
            HeaderExtensions = extensions,
            RtcpReducedSize = l.RtcpReducedSize && r.RtcpReducedSize,
            LocalSsrc = first?.Ssrc ?? t.Ssrc,
            LocalRtxSsrc = rtx ? first?.RtxSsrc ?? t.RtxSsrc : null,
            SendRids = sendRids,
            RemoteSsrcs = r.GetSsrcs(),
            RemoteSsrcGroups = r.GetSsrcGroups(),
            RemoteCName = cname,
            RemoteRids = r.GetRids(),
            RemoteSimulcast = r.Simulcast,
            ReceiveRids = ReceiveRidsOf(l, r),
            RemoteMsid = msid,
        };
    }

    /// <summary>
    /// The simulcast streams we receive (RFC 8853 §5.3): each rid the remote side's "a=simulcast" sends and ours receives,
    /// with an "a=rid" line of the matching direction on each side, in the remote side's order (alternatives flattened).
    /// </summary>
    private static List<string> ReceiveRidsOf(MediaDescription local, MediaDescription remote)
    {
        var list = new List<string>();
        if (remote.Simulcast is not { } theirs || local.Simulcast is not { } ours)
        {
            return list;
        }

        IReadOnlyList<Rid> remoteRids = remote.GetRids();
        IReadOnlyList<Rid> localRids = local.GetRids();
        foreach (IReadOnlyList<SimulcastStream> alternatives in theirs.Send)
        {
            foreach (SimulcastStream sc in alternatives)
            {
                if (!list.Contains(sc.Rid)
                    && ours.Receive.Any(a => a.Any(x => x.Rid == sc.Rid))
                    && remoteRids.Any(x => x.Id == sc.Rid && x.Direction == RidDirection.Send)
                    && localRids.Any(x => x.Id == sc.Rid && x.Direction == RidDirection.Receive))
                {
                    list.Add(sc.Rid);
                }
            }
        }

        return list;
    }

    /// <summary>
    /// The simulcast streams we send (RFC 8853 §5.3): each rid our "a=simulcast" sends and the remote side's receives,
    /// with an "a=rid" line of the matching direction on each side and one of the transceiver's send encodings, in our
    /// order (alternatives flattened).
    /// </summary>
    private static List<string> SendRidsOf(MediaDescription local, MediaDescription remote, Transceiver t)
    {
        var list = new List<string>();
        if (remote.Simulcast is not { } theirs || local.Simulcast is not { } ours)
        {
            return list;
        }

        IReadOnlyList<Rid> remoteRids = remote.GetRids();
        IReadOnlyList<Rid> localRids = local.GetRids();
        foreach (IReadOnlyList<SimulcastStream> alternatives in ours.Send)
        {
            foreach (SimulcastStream sc in alternatives)
            {
                if (!list.Contains(sc.Rid)
                    && theirs.Receive.Any(a => a.Any(x => x.Rid == sc.Rid))
                    && localRids.Any(x => x.Id == sc.Rid && x.Direction == RidDirection.Send)
                    && remoteRids.Any(x => x.Id == sc.Rid && x.Direction == RidDirection.Receive)
                    && t.SendEncodings.Any(e => e.Rid == sc.Rid))
                {
                    list.Add(sc.Rid);
                }
            }
        }

        return list;
    }

    /// <summary>The codecs of <paramref name="first"/> (its payload types, fmtp and order) that <paramref name="second"/> also lists, with the feedback both list and RTX both map.</summary>
    private static List<NegotiatedCodec> Intersect(List<SdpCodec> first, List<SdpCodec> second)
    {
        var list = new List<NegotiatedCodec>();
        foreach (SdpCodec a in first)
        {
            if (a.IsRtx || Find(second, a.PayloadType) is not SdpCodec b || !a.Matches(b))
            {
                continue;
            }

            var feedback = new List<string>();
            foreach (string f in a.Feedback)
            {
                if (b.Feedback.Contains(f))
                {
                    feedback.Add(f);
                }
            }

            int? rtx = null;
            foreach (SdpCodec ra in first)
            {
                if (ra.Apt == a.PayloadType && Find(second, ra.PayloadType) is SdpCodec rb && rb.Apt == a.PayloadType)
                {
                    rtx = ra.PayloadType;
                    break;
                }
            }

            list.Add(new NegotiatedCodec(a.PayloadType, a.Name, a.ClockRate, a.Channels) { Parameters = a.Parameters, Feedback = feedback, RtxPayloadType = rtx });
        }

        return list;
    }

    private NegotiatedTransport? ReadTransport(SessionDescription local, SessionDescription remote, bool weOffered)
    {
        SdpGroup? group = FirstBundleGroup(remote);
        int tag = TagIndex(remote, group);
        if (tag < 0)
        {
            return NegotiatedTransport;
        }

        MediaDescription r = remote.MediaDescriptions[tag];
        SetupRole localSetup;
        if (weOffered)
        {
            // RFC 8842 §5.3: the answerer's active makes us passive (DTLS server), its passive makes us active; RFC
            // 4145 §4 reads a missing attribute as active.
            localSetup = remote.GetEffectiveSetup(r) == SetupRole.Passive ? SetupRole.Active : SetupRole.Passive;
        }
        else
        {
            int localTag = TagIndex(local, FirstBundleGroup(local));
            localSetup = (localTag >= 0 ? local.GetEffectiveSetup(local.MediaDescriptions[localTag]) : null) ?? _options.AnswerSetup;
        }

        _establishedLocalSetup = localSetup;
        string ufrag = remote.GetEffectiveIceUfrag(r)!;
        string pwd = remote.GetEffectiveIcePwd(r)!;
        bool restart = _lastRemoteUfrag is not null && (ufrag != _lastRemoteUfrag || pwd != _lastRemotePwd);
        _lastRemoteUfrag = ufrag;
        _lastRemotePwd = pwd;

        // RFC 8445 §6.1.1: a full agent facing a lite one controls; otherwise the offerer does. Kept for the session.
        _iceControlling ??= _options.IceLite != remote.IceLite ? !_options.IceLite : weOffered;
        var mids = new List<string>();
        if (group is not null)
        {
            mids.AddRange(group.Mids);
        }
        else if (r.Mid is string mid)
        {
            mids.Add(mid);
        }

        return new NegotiatedTransport
        {
            TaggedMid = r.Mid,
            BundleMids = mids,
            RemoteIceUfrag = ufrag,
            RemoteIcePwd = pwd,
            RemoteIceLite = remote.IceLite,
            RemoteIceOptions = remote.GetEffectiveIceOptions(r),
            RemoteCandidates = r.GetCandidates(),
            RemoteEndOfCandidates = r.EndOfCandidates,
            RemoteFingerprints = remote.GetEffectiveFingerprints(r),
            LocalSetup = localSetup,
            IceControlling = _iceControlling.Value,
            IceRestart = restart,
        };
    }

    private static int? ParseInt(string? value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : null;

    private static long? ParseLong(string? value) => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;

    private static T? FirstOrNull<T>(IReadOnlyList<T> list)
        where T : class => list.Count > 0 ? list[0] : null;
}
