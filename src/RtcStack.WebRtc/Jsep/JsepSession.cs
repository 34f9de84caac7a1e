using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// General JSEP (RFC 8829) offer/answer for any number of audio, video and data channel m= sections sharing one
/// BUNDLE transport (RFC 8843), sans-IO: descriptions in, descriptions and negotiated parameters out. Offers and
/// answers may come from either side, again and again (add, stop and recycle transceivers, change directions and
/// codecs; RFC 8829 §5.2.2, §5.3.2), and a pending offer of either side can be rolled back (RFC 8829 §4.1.10.2).
/// Whatever is refused comes back as a typed <see cref="JsepError"/>.
/// </summary>
public sealed partial class JsepSession
{
    private readonly JsepOptions _options;
    private string _iceUfrag;
    private string _icePwd;
    private readonly Random? _random;
    private readonly List<Transceiver> _transceivers = [];
    private readonly Dictionary<string, int> _sessionPayloadTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sessionExtensionIds = new(StringComparer.Ordinal);
    private readonly ulong _sessionId;
    private readonly string _cname;
    private readonly string _streamId;
    private List<MediaSection> _sections = [];
    private HashSet<string> _usedMids = new(StringComparer.Ordinal);
    private int _nextMid;
    private ulong _localVersion;
    private Snapshot? _snapshot;
    private PendingOffer? _createdOffer;
    private PendingAnswer? _createdAnswer;
    private SetupRole? _establishedLocalSetup;
    private bool? _iceControlling;
    private string? _lastRemoteUfrag;
    private string? _lastRemotePwd;

    /// <summary>Initializes a new instance of the <see cref="JsepSession"/> class.</summary>
    /// <param name="options">What we offer and accept, and the transport's credentials.</param>
    /// <exception cref="ArgumentException">The options are unusable (ICE credentials too short, no fingerprint, bad setup preference).</exception>
    public JsepSession(JsepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
        _iceUfrag = options.IceUfrag;
        _icePwd = options.IcePwd;
        _random = options.Random;
        _sessionId = NextUInt64() & long.MaxValue;
        _cname = options.CName ?? RandomToken(16);
        _streamId = options.StreamId ?? RandomToken(16);
    }

    /// <summary>Gets the signaling state (RFC 8829 §3.2).</summary>
    public SignalingState SignalingState { get; private set; }

    /// <summary>Gets the transceivers, in the order they were added or created by remote offers.</summary>
    public IReadOnlyList<Transceiver> Transceivers => _transceivers;

    /// <summary>Gets our description of the last completed exchange, or null.</summary>
    public SessionDescription? CurrentLocalDescription { get; private set; }

    /// <summary>Gets the remote description of the last completed exchange, or null.</summary>
    public SessionDescription? CurrentRemoteDescription { get; private set; }

    /// <summary>Gets our pending offer or provisional answer, or null.</summary>
    public SessionDescription? PendingLocalDescription { get; private set; }

    /// <summary>Gets the pending remote offer or provisional answer, or null.</summary>
    public SessionDescription? PendingRemoteDescription { get; private set; }

    /// <summary>Gets the result of the last completed exchange, one entry per m= section.</summary>
    public IReadOnlyList<NegotiatedSection> NegotiatedSections { get; private set; } = [];

    /// <summary>Gets the transport parameters of the last completed exchange, or null before one.</summary>
    public NegotiatedTransport? NegotiatedTransport { get; private set; }

    /// <summary>Gets why the m= sections our last answer rejected were rejected (RFC 3264 §6: port 0), one error per section with its mid.</summary>
    public IReadOnlyList<JsepError> AnswerRejections { get; private set; } = [];

    /// <summary>Gets the RTCP CNAME written in our "a=ssrc" lines (RFC 7022).</summary>
    public string CName => _cname;

    /// <summary>Gets the transceiver whose section has <paramref name="mid"/> (RFC 8843 §7.2), or null.</summary>
    public Transceiver? FindTransceiver(string mid)
    {
        foreach (Transceiver t in _transceivers)
        {
            if (t.Mid == mid)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds a transceiver (RFC 8829 §4.1.2, W3C addTransceiver). It gets an m= section, and a mid, in the next offer we
    /// create, or is matched to a section of that kind in the next remote offer.
    /// </summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="direction">The direction we want.</param>
    /// <returns>The transceiver.</returns>
    public Transceiver AddTransceiver(MediaKind kind, MediaDirection direction = MediaDirection.SendRecv)
    {
        if (kind == MediaKind.Application)
        {
            throw new ArgumentException("Use AddDataSection for the data channel section.", nameof(kind));
        }

        var t = new Transceiver(this, kind, direction, NextSsrc(), NextSsrc(), RandomToken(12));
        _transceivers.Add(t);
        return t;
    }

    /// <summary>
    /// Adds a video transceiver that sends simulcast (RFC 8853; W3C addTransceiver with sendEncodings): our offers write
    /// an "a=rid:&lt;rid&gt; send" line per encoding (RFC 8851 §4) and "a=simulcast:send" with the RIDs in the given
    /// order; an answer to an offer that asks to receive simulcast ("a=simulcast:recv") sends the offered streams whose
    /// RID is one of these encodings'. Each encoding gets its own SSRC and RTX SSRC (the first uses
    /// <see cref="Transceiver.Ssrc"/> and <see cref="Transceiver.RtxSsrc"/>); no "a=ssrc" lines are written for them
    /// (the RID header extension, RFC 8852, names each stream).
    /// </summary>
    /// <param name="sendEncodings">The encodings, 1-16, with distinct RIDs; copied.</param>
    /// <param name="direction">The direction we want.</param>
    /// <returns>The transceiver.</returns>
    /// <exception cref="ArgumentException">No or more than 16 encodings, or a RID given twice.</exception>
    public Transceiver AddSimulcastTransceiver(IReadOnlyList<SendEncoding> sendEncodings, MediaDirection direction = MediaDirection.SendRecv)
    {
        ArgumentNullException.ThrowIfNull(sendEncodings);
        if (sendEncodings.Count is < 1 or > 16)
        {
            throw new ArgumentException("1-16 send encodings.", nameof(sendEncodings));
        }

        var rids = new HashSet<string>(StringComparer.Ordinal);
        foreach (SendEncoding e in sendEncodings)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(sendEncodings));
            if (!rids.Add(e.Rid))
            {
                throw new ArgumentException($"RID {e.Rid} is given twice (RFC 8853 §5.2: each simulcast stream has its own rid).", nameof(sendEncodings));
            }
        }

        Transceiver t = AddTransceiver(MediaKind.Video, direction);
        var encodings = new List<SendEncoding>(sendEncodings.Count);
        for (int i = 0; i < sendEncodings.Count; i++)
        {
            if (i == 0)
            {
                encodings.Add(sendEncodings[i].WithSsrcs(t.Ssrc, t.RtxSsrc));
            }
            else
            {
                uint ssrc = NextSsrc(), rtx;
                do
                {
                    rtx = NextSsrc();
                }
                while (rtx == ssrc);

                encodings.Add(sendEncodings[i].WithSsrcs(ssrc, rtx));
            }

            // Visible to IsOurSsrc at once, so that the next draws skip it.
            t.SendEncodings = encodings;
        }

        return t;
    }

    /// <summary>
    /// Asks for the data channel m= section ("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", RFC 8841) in the next
    /// offer; returns the existing one if there is one that is not stopped. Nothing runs behind it yet.
    /// </summary>
    /// <returns>The application transceiver.</returns>
    public Transceiver AddDataSection()
    {
        foreach (Transceiver existing in _transceivers)
        {
            if (existing.Kind == MediaKind.Application && !existing.Stopping)
            {
                return existing;
            }
        }

        var t = new Transceiver(this, MediaKind.Application, MediaDirection.SendRecv, 0, 0, string.Empty);
        _transceivers.Add(t);
        return t;
    }

    /// <summary>Gets the ICE username fragment our descriptions carry (RFC 8839 §5.4).</summary>
    public string LocalIceUfrag => _iceUfrag;

    /// <summary>Gets the ICE password our descriptions carry (RFC 8839 §5.4).</summary>
    public string LocalIcePwd => _icePwd;

    /// <summary>
    /// Sets the ICE credentials our next descriptions carry: new ones after an ICE restart (RFC 8445 §9; RFC 8829 §5.2.1
    /// "iceRestart", §5.3.1 an answer to a restarting offer), which the owner of the ICE agent made.
    /// </summary>
    /// <exception cref="ArgumentException">The ufrag or password is not 4-256 or 22-256 ice-chars (RFC 8839 §5.4).</exception>
    public void SetLocalIceCredentials(string ufrag, string password)
    {
        if (ufrag is null || ufrag.Length is < 4 or > 256 || !IsIceChars(ufrag))
        {
            throw new ArgumentException("the ufrag must be 4-256 ice-chars (RFC 8839 §5.4)", nameof(ufrag));
        }

        if (password is null || password.Length is < 22 or > 256 || !IsIceChars(password))
        {
            throw new ArgumentException("the password must be 22-256 ice-chars (RFC 8839 §5.4)", nameof(password));
        }

        _iceUfrag = ufrag;
        _icePwd = password;
    }

    /// <summary>Creates an offer (RFC 8829 §5.2) or throws <see cref="JsepException"/> when one cannot be created now.</summary>
    /// <returns>The offer, to give to <see cref="SetLocalDescription"/> and send.</returns>
    public SessionDescription CreateOffer() =>
        TryCreateOffer(out SessionDescription? offer, out JsepError? error) ? offer : throw new JsepException(error);

    /// <summary>Creates an answer to the pending remote offer (RFC 8829 §5.3) or throws <see cref="JsepException"/>.</summary>
    /// <returns>The answer.</returns>
    public SessionDescription CreateAnswer() =>
        TryCreateAnswer(out SessionDescription? answer, out JsepError? error) ? answer : throw new JsepException(error);

    /// <summary>Applies one of our descriptions (RFC 8829 §5.5, §5.8) or throws <see cref="JsepException"/>.</summary>
    /// <param name="type">Offer, pranswer, answer or rollback.</param>
    /// <param name="description">The description (ignored for rollback).</param>
    public void SetLocalDescription(SdpType type, SessionDescription? description)
    {
        if (!TrySetLocalDescription(type, description, out JsepError? error))
        {
            throw new JsepException(error);
        }
    }

    /// <summary>Applies a remote description (RFC 8829 §5.6, §5.10) or throws <see cref="JsepException"/>.</summary>
    /// <param name="type">Offer, pranswer, answer or rollback.</param>
    /// <param name="description">The description (ignored for rollback).</param>
    public void SetRemoteDescription(SdpType type, SessionDescription? description)
    {
        if (!TrySetRemoteDescription(type, description, out JsepError? error))
        {
            throw new JsepException(error);
        }
    }

    /// <summary>
    /// Applies one of our descriptions (RFC 8829 §5.5): an offer moves to have-local-offer and assigns the mids it
    /// carries; an answer completes the exchange (stable) and updates <see cref="NegotiatedSections"/>; a rollback
    /// restores the state before our pending offer (RFC 8829 §4.1.10.2). The description must be the last one
    /// <see cref="CreateOffer"/> or <see cref="CreateAnswer"/> returned, or have the same m= sections and mids.
    /// </summary>
    /// <param name="type">Offer, pranswer, answer or rollback.</param>
    /// <param name="description">The description (ignored for rollback).</param>
    /// <param name="error">Why it was refused.</param>
    /// <returns>Whether it was applied.</returns>
    public bool TrySetLocalDescription(SdpType type, SessionDescription? description, [NotNullWhen(false)] out JsepError? error)
    {
        switch (type)
        {
            case SdpType.Rollback:
                if (SignalingState != SignalingState.HaveLocalOffer)
                {
                    error = new JsepError(JsepErrorCode.InvalidRollback, $"no local offer to roll back in state {SignalingState} (RFC 8829 §4.1.10.2)");
                    return false;
                }

                Rollback();
                error = null;
                return true;

            case SdpType.Offer:
                if (SignalingState is not (SignalingState.Stable or SignalingState.HaveLocalOffer))
                {
                    error = StateError("a local offer", SignalingState);
                    return false;
                }

                ArgumentNullException.ThrowIfNull(description);
                return TryApplyLocalOffer(description, out error);

            default:
                if (SignalingState is not (SignalingState.HaveRemoteOffer or SignalingState.HaveLocalPranswer))
                {
                    error = StateError("a local answer", SignalingState);
                    return false;
                }

                ArgumentNullException.ThrowIfNull(description);
                return TryApplyLocalAnswer(description, type == SdpType.Pranswer, out error);
        }
    }

    /// <summary>
    /// Applies a remote description (RFC 8829 §5.6, §5.10): an offer is checked (m= sections never removed, mids
    /// present and unique, kinds kept unless recycled, BUNDLE consistent, ICE credentials and fingerprint present) and
    /// associated with transceivers, creating receive-only ones for sections no transceiver matches; an answer is
    /// checked against our offer and completes the exchange; a rollback discards the pending remote offer.
    /// </summary>
    /// <param name="type">Offer, pranswer, answer or rollback.</param>
    /// <param name="description">The description (ignored for rollback).</param>
    /// <param name="error">Why it was refused.</param>
    /// <returns>Whether it was applied.</returns>
    public bool TrySetRemoteDescription(SdpType type, SessionDescription? description, [NotNullWhen(false)] out JsepError? error)
    {
        switch (type)
        {
            case SdpType.Rollback:
                if (SignalingState != SignalingState.HaveRemoteOffer)
                {
                    error = new JsepError(JsepErrorCode.InvalidRollback, $"no remote offer to roll back in state {SignalingState} (RFC 8829 §4.1.10.2)");
                    return false;
                }

                Rollback();
                error = null;
                return true;

            case SdpType.Offer:
                if (SignalingState is not (SignalingState.Stable or SignalingState.HaveRemoteOffer))
                {
                    error = StateError("a remote offer", SignalingState);
                    return false;
                }

                ArgumentNullException.ThrowIfNull(description);
                return TryApplyRemoteOffer(description, out error);

            default:
                if (SignalingState is not (SignalingState.HaveLocalOffer or SignalingState.HaveRemotePranswer))
                {
                    error = StateError("a remote answer", SignalingState);
                    return false;
                }

                ArgumentNullException.ThrowIfNull(description);
                return TryApplyRemoteAnswer(description, type == SdpType.Pranswer, out error);
        }
    }

    private static JsepError StateError(string what, SignalingState state) =>
        new(JsepErrorCode.InvalidState, $"{what} cannot be applied in signaling state {state} (RFC 8829 §3.2)");

    private static void Validate(JsepOptions options)
    {
        if (options.IceUfrag is null || options.IceUfrag.Length is < 4 or > 256 || !IsIceChars(options.IceUfrag))
        {
            throw new ArgumentException("IceUfrag must be 4-256 ice-chars (RFC 8839 §5.4)", nameof(options));
        }

        if (options.IcePwd is null || options.IcePwd.Length is < 22 or > 256 || !IsIceChars(options.IcePwd))
        {
            throw new ArgumentException("IcePwd must be 22-256 ice-chars (RFC 8839 §5.4)", nameof(options));
        }

        if (options.Fingerprints is null || options.Fingerprints.Count == 0)
        {
            throw new ArgumentException("at least one certificate fingerprint is required (RFC 8827 §6.5)", nameof(options));
        }

        if (options.AnswerSetup is not (SetupRole.Active or SetupRole.Passive))
        {
            throw new ArgumentException("AnswerSetup must be active or passive (RFC 8842 §5.3)", nameof(options));
        }

        if (options.OfferSetup is not (SetupRole.ActPass or SetupRole.Active or SetupRole.Passive))
        {
            throw new ArgumentException("OfferSetup must be actpass, active or passive (RFC 8842 §5.2)", nameof(options));
        }

        if (options.CName is not null && !IsToken(options.CName))
        {
            throw new ArgumentException("CName must be a non-empty token (RFC 7022, RFC 5576 §6.1)", nameof(options));
        }

        if (options.StreamId is not null && !IsToken(options.StreamId))
        {
            throw new ArgumentException("StreamId must be a non-empty token (RFC 8830 §2)", nameof(options));
        }
    }

    // RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/".
    private static bool IsIceChars(string s)
    {
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 8866 §9 token-char (a subset is enough for what we write: letters, digits and !#$%&'*+-.^_`{|}~).
    private static bool IsToken(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`{|}~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private uint NextSsrc()
    {
        uint v;
        do
        {
            v = (uint)NextUInt64();
        }
        while (v == 0 || IsOurSsrc(v));

        return v;
    }

    private bool IsOurSsrc(uint v)
    {
        foreach (Transceiver t in _transceivers)
        {
            if (t.Ssrc == v || t.RtxSsrc == v)
            {
                return true;
            }

            foreach (SendEncoding e in t.SendEncodings)
            {
                if (e.Ssrc == v || e.RtxSsrc == v)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private ulong NextUInt64()
    {
        if (_random is not null)
        {
            return (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 32);
        }

        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        return BitConverterFree(b);
    }

    private static ulong BitConverterFree(ReadOnlySpan<byte> b) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b);

    private string RandomToken(int length)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, this, static (span, self) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[(int)(self.NextUInt64() % (ulong)Alphabet.Length)];
            }
        });
    }

    private string NewMid()
    {
        string mid;
        do
        {
            mid = _nextMid.ToString(CultureInfo.InvariantCulture);
            _nextMid++;
        }
        while (_usedMids.Contains(mid));

        return mid;
    }

    private Snapshot TakeSnapshot()
    {
        var sections = new List<MediaSection>(_sections.Count);
        foreach (MediaSection s in _sections)
        {
            sections.Add(s.Clone());
        }

        var transceivers = new List<TransceiverState>(_transceivers.Count);
        foreach (Transceiver t in _transceivers)
        {
            transceivers.Add(new TransceiverState(t, t.Mid, t.MLineIndex, t.Stopping, t.Stopped, t.Direction));
        }

        return new Snapshot(sections, transceivers, new HashSet<string>(_usedMids, StringComparer.Ordinal), _nextMid);
    }

    private void Rollback()
    {
        Snapshot s = _snapshot!;
        _sections = s.Sections;
        _usedMids = s.UsedMids;
        _nextMid = s.NextMid;
        var kept = new HashSet<Transceiver>();
        foreach (TransceiverState ts in s.Transceivers)
        {
            kept.Add(ts.Transceiver);
            ts.Transceiver.Mid = ts.Mid;
            ts.Transceiver.MLineIndex = ts.MLineIndex;
            ts.Transceiver.Stopping = ts.Stopping;
            ts.Transceiver.Stopped = ts.Stopped;
            ts.Transceiver.RestoreDirection(ts.Direction);
        }

        // Transceivers a rolled-back remote offer created go away (W3C setRemoteDescription rollback); those the
        // application added meanwhile stay.
        _transceivers.RemoveAll(t => !kept.Contains(t) && t.CreatedByRemoteOffer);
        foreach (Transceiver t in _transceivers)
        {
            if (!kept.Contains(t))
            {
                t.Mid = null;
                t.MLineIndex = null;
            }
        }

        PendingLocalDescription = null;
        PendingRemoteDescription = null;
        _snapshot = null;
        _createdOffer = null;
        _createdAnswer = null;
        SignalingState = SignalingState.Stable;
    }

    private sealed record TransceiverState(Transceiver Transceiver, string? Mid, int? MLineIndex, bool Stopping, bool Stopped, MediaDirection Direction);

    private sealed record Snapshot(List<MediaSection> Sections, List<TransceiverState> Transceivers, HashSet<string> UsedMids, int NextMid);

    private sealed record PendingOffer(SessionDescription Description, List<MediaSection> Sections, HashSet<string> UsedMids, int NextMid);

    private sealed record PendingAnswer(SessionDescription Description, List<MediaSection> Sections);
}
