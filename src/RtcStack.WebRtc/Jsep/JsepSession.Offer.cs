using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;

namespace RtcStack.WebRtc.Jsep;

/// <summary>Our offers (RFC 8829 §5.2) and applying them locally (RFC 8829 §5.5).</summary>
public sealed partial class JsepSession
{
    /// <summary>
    /// Creates an offer (RFC 8829 §5.2.1 initial, §5.2.2 subsequent): one m= section per transceiver, existing
    /// sections in their place with their mids and payload types, stopped ones rejected with port 0, new transceivers
    /// in a recycled m-line (a rejected section whose transceiver is stopped) or appended; all live sections in one
    /// BUNDLE group (RFC 8843 §7.2) whose first section carries the transport attributes; with max-bundle an initial
    /// offer marks the other sections "a=bundle-only" with port 0.
    /// </summary>
    /// <param name="offer">The offer.</param>
    /// <param name="error">Why none can be created now (signaling state).</param>
    /// <returns>Whether an offer was created.</returns>
    public bool TryCreateOffer([NotNullWhen(true)] out SessionDescription? offer, [NotNullWhen(false)] out JsepError? error)
    {
        offer = null;
        if (SignalingState is not (SignalingState.Stable or SignalingState.HaveLocalOffer))
        {
            error = new JsepError(JsepErrorCode.InvalidState, $"an offer cannot be created in signaling state {SignalingState} (RFC 8829 §3.2)");
            return false;
        }

        var sections = new List<MediaSection>(_sections.Count + 2);
        foreach (MediaSection s in _sections)
        {
            sections.Add(s.Clone());
        }

        var free = new List<int>();
        for (int i = 0; i < sections.Count; i++)
        {
            MediaSection s = sections[i];
            if (s.Rejected && (s.Transceiver is null || s.Transceiver.Stopped))
            {
                free.Add(i);
            }
        }

        var usedMids = new HashSet<string>(_usedMids, StringComparer.Ordinal);
        int nextMid = _nextMid;
        int nextFree = 0;
        foreach (Transceiver t in _transceivers)
        {
            if (t.MLineIndex is not null || t.Stopping)
            {
                continue;
            }

            string mid;
            do
            {
                mid = nextMid.ToString(CultureInfo.InvariantCulture);
                nextMid++;
            }
            while (!usedMids.Add(mid));

            // RFC 8829 §5.2.2: a new transceiver takes the first rejected m-line whose transceiver is stopped, with a new mid.
            var section = new MediaSection(MediaOf(t.Kind), ProtocolOf(t.Kind), t.Kind, mid) { Transceiver = t };
            if (nextFree < free.Count)
            {
                sections[free[nextFree++]] = section;
            }
            else
            {
                sections.Add(section);
            }
        }

        bool initial = CurrentLocalDescription is null;
        int tag = -1;
        var bundle = new List<string>();
        for (int i = 0; i < sections.Count; i++)
        {
            if (IsLive(sections[i]))
            {
                tag = tag < 0 ? i : tag;
                bundle.Add(sections[i].Mid!);
            }
        }

        SessionDescription sdp = NewDescription(_options.ExtMapAllowMixed);
        if (bundle.Count > 0)
        {
            sdp.Lines.Add(new SdpGroup(SdpGroup.Bundle, bundle).ToLine());
        }

        for (int i = 0; i < sections.Count; i++)
        {
            MediaSection s = sections[i];
            if (!IsLive(s))
            {
                sdp.MediaDescriptions.Add(WriteRejected(s.Media, s.Protocol, s.Formats, s.Mid));
                continue;
            }

            Transceiver t = s.Transceiver!;
            bool tagged = i == tag;
            bool bundleOnly = initial && _options.MaxBundle && !tagged;
            SetupRole? setup = tagged || (initial && !_options.MaxBundle) ? _options.OfferSetup : null;
            int port = bundleOnly ? 0 : 9;
            MediaDescription m;
            if (t.Kind == MediaKind.Application)
            {
                m = WriteData(s.Mid!, s.Protocol, port, bundleOnly, setup);
            }
            else
            {
                List<WrittenCodec> codecs = OfferCodecs(s, CodecsFor(t));
                List<ExtMap> extensions = OfferExtensions(s, t.Kind);
                List<Rid>? sendRids = OfferSendRids(t, t.Direction, extensions);
                m = WriteRtp(t, s.Mid!, s.Protocol, port, bundleOnly, setup, t.Direction, codecs, extensions, _options.RtcpMuxOnly, _options.RtcpReducedSize, writeSsrcs: sendRids is null);
                if (sendRids is not null)
                {
                    WriteSimulcast(m, sendRids, Streams(sendRids), [], []);
                }
            }

            s.Formats = m.MediaLine.Formats;
            sdp.MediaDescriptions.Add(m);
        }

        _createdOffer = new PendingOffer(sdp, sections, usedMids, nextMid);
        offer = sdp;
        error = null;
        return true;
    }

    /// <summary>
    /// RFC 8853 §5.2 (offerer): a video transceiver with send encodings that sends offers one simulcast stream per
    /// encoding, each with its "a=rid:&lt;rid&gt; send" line (RFC 8851 §4); null when it has none, does not send, or the RID
    /// header extension is not offered (RFC 8853 §5.4: the streams are told apart by it).
    /// </summary>
    private static List<Rid>? OfferSendRids(Transceiver t, MediaDirection direction, List<ExtMap> extensions)
    {
        if (t.SendEncodings.Count == 0 || !direction.Sends() || !ContainsUri(extensions, JsepOptions.RidUri))
        {
            return null;
        }

        var rids = new List<Rid>(t.SendEncodings.Count);
        foreach (SendEncoding e in t.SendEncodings)
        {
            rids.Add(e.ToOfferedRid());
        }

        return rids;
    }

    private static List<IReadOnlyList<SimulcastStream>> Streams(List<Rid> rids)
    {
        var streams = new List<IReadOnlyList<SimulcastStream>>(rids.Count);
        foreach (Rid r in rids)
        {
            streams.Add([new SimulcastStream(r.Id)]);
        }

        return streams;
    }

    private static bool IsLive(MediaSection s) => s.Transceiver is { Stopping: false } && s.Mid is not null;

    private bool TryApplyLocalOffer(SessionDescription description, [NotNullWhen(false)] out JsepError? error)
    {
        PendingOffer? created = _createdOffer;
        error = null;
        if (created is null || !SameSections(created.Description, description, out error))
        {
            error ??= new JsepError(JsepErrorCode.DescriptionMismatch, "no offer was created since the last exchange (RFC 8829 §5.5)");
            return false;
        }

        if (SignalingState == SignalingState.HaveLocalOffer)
        {
            // A new local offer replaces the pending one; the state to roll back to stays the one before the first.
            Snapshot before = _snapshot!;
            Rollback();
            _snapshot = before;
        }
        else
        {
            _snapshot = TakeSnapshot();
        }

        _sections = created.Sections;
        _usedMids = created.UsedMids;
        _nextMid = created.NextMid;
        SyncTransceivers();
        PendingLocalDescription = description;
        _localVersion = description.Origin.SessionVersion;
        _createdOffer = null;
        SignalingState = SignalingState.HaveLocalOffer;
        error = null;
        return true;
    }

    /// <summary>Points each transceiver at the section holding it; one that lost its m-line to recycling keeps its mid but no index.</summary>
    private void SyncTransceivers()
    {
        var placed = new HashSet<Transceiver>();
        for (int i = 0; i < _sections.Count; i++)
        {
            if (_sections[i].Transceiver is Transceiver t)
            {
                t.Mid = _sections[i].Mid;
                t.MLineIndex = i;
                placed.Add(t);
            }
        }

        foreach (Transceiver t in _transceivers)
        {
            if (!placed.Contains(t))
            {
                t.MLineIndex = null;
            }
        }
    }

    /// <summary>RFC 8829 §5.5: a description applied locally must be the one created, with the same m= sections, in order.</summary>
    private static bool SameSections(SessionDescription created, SessionDescription given, out JsepError? error)
    {
        if (created.MediaDescriptions.Count != given.MediaDescriptions.Count)
        {
            error = new JsepError(
                JsepErrorCode.DescriptionMismatch,
                $"the description has {given.MediaDescriptions.Count} m= sections; the one created has {created.MediaDescriptions.Count} (RFC 8829 §5.5)");
            return false;
        }

        for (int i = 0; i < created.MediaDescriptions.Count; i++)
        {
            MediaDescription a = created.MediaDescriptions[i];
            MediaDescription b = given.MediaDescriptions[i];
            if (!string.Equals(a.Media, b.Media, StringComparison.Ordinal) || !string.Equals(a.Mid, b.Mid, StringComparison.Ordinal) || a.IsRejected != b.IsRejected)
            {
                error = new JsepError(JsepErrorCode.DescriptionMismatch, $"m= section {i} is {b.Media} mid {b.Mid ?? "(none)"}; the one created is {a.Media} mid {a.Mid ?? "(none)"} (RFC 8829 §5.5)", i) { Mid = b.Mid };
                return false;
            }
        }

        error = null;
        return true;
    }
}
