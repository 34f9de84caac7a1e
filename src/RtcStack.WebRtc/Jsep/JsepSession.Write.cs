using System.Globalization;
using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>Writing m= sections, payload type and extension id allocation (shared by offers and answers).</summary>
public sealed partial class JsepSession
{
    private const string RtpProtocol = "UDP/TLS/RTP/SAVPF";
    private const string SctpProtocol = "UDP/DTLS/SCTP";
    private const string DataChannelFormat = "webrtc-datachannel";

    private static string MediaOf(MediaKind kind) => kind switch
    {
        MediaKind.Audio => "audio",
        MediaKind.Video => "video",
        _ => "application",
    };

    private static string ProtocolOf(MediaKind kind) => kind == MediaKind.Application ? SctpProtocol : RtpProtocol;

    private static MediaKind? KindOf(string media) => media switch
    {
        "audio" => MediaKind.Audio,
        "video" => MediaKind.Video,
        "application" => MediaKind.Application,
        _ => null,
    };

    private IReadOnlyList<CodecCapability> CodecsFor(Transceiver t) =>
        t.CodecPreferences ?? (t.Kind == MediaKind.Audio ? _options.AudioCodecs : _options.VideoCodecs);

    private SessionDescription NewDescription(bool allowMixed)
    {
        var sdp = new SessionDescription(new SdpOrigin("-", _sessionId, _localVersion + 1));
        if (_options.IceLite)
        {
            sdp.IceLite = true;
        }

        if (allowMixed)
        {
            sdp.ExtMapAllowMixed = true;
        }

        return sdp;
    }

    private void AddTransport(MediaDescription media, SetupRole setup, bool rtcpLine)
    {
        if (rtcpLine)
        {
            media.Lines.Add(new RtcpAddress(9, new SdpConnection("IN", "IP4", "0.0.0.0")).ToLine());
        }

        media.IceUfrag = _iceUfrag;
        media.IcePwd = _icePwd;
        if (_options.IceOptions.Count > 0)
        {
            media.AddAttribute(SdpAttributeNames.IceOptions, string.Join(' ', _options.IceOptions));
        }

        foreach (SdpFingerprint fp in _options.Fingerprints)
        {
            media.Lines.Add(fp.ToLine());
        }

        media.Setup = setup;
    }

    /// <summary>RFC 3264 §6 / RFC 8829 §5.3.1 (and §5.2.2 for our stopped sections): same media and proto, port 0, the formats, the mid.</summary>
    private static MediaDescription WriteRejected(string media, string protocol, IReadOnlyList<string> formats, string? mid)
    {
        IReadOnlyList<string> f = formats.Count > 0 ? formats : [protocol.Contains("SCTP", StringComparison.Ordinal) ? DataChannelFormat : "0"];
        var m = new MediaDescription(new SdpMediaLine(media, 0, protocol, f));
        m.Lines.Add(new SdpConnection("IN", "IP4", "0.0.0.0").ToLine());
        if (mid is not null)
        {
            m.Mid = mid;
        }

        return m;
    }

    private MediaDescription WriteData(string mid, string protocol, int port, bool bundleOnly, SetupRole? transportSetup)
    {
        var m = new MediaDescription(new SdpMediaLine("application", port, protocol, [DataChannelFormat]));
        m.Lines.Add(new SdpConnection("IN", "IP4", "0.0.0.0").ToLine());
        if (transportSetup is SetupRole setup)
        {
            AddTransport(m, setup, rtcpLine: false);
        }

        m.Mid = mid;
        if (bundleOnly)
        {
            m.BundleOnly = true;
        }

        m.AddAttribute("sctp-port", _options.SctpPort.ToString(CultureInfo.InvariantCulture));
        m.AddAttribute("max-message-size", _options.MaxMessageSize.ToString(CultureInfo.InvariantCulture));
        return m;
    }

    private MediaDescription WriteRtp(
        Transceiver t,
        string mid,
        string protocol,
        int port,
        bool bundleOnly,
        SetupRole? transportSetup,
        MediaDirection direction,
        IReadOnlyList<WrittenCodec> codecs,
        IReadOnlyList<ExtMap> extensions,
        bool rtcpMuxOnly,
        bool reducedSize,
        bool writeSsrcs = true)
    {
        var formats = new List<string>(codecs.Count * 2);
        foreach (WrittenCodec c in codecs)
        {
            formats.Add(c.PayloadType.ToString(CultureInfo.InvariantCulture));
            if (c.RtxPayloadType is int rtx)
            {
                formats.Add(rtx.ToString(CultureInfo.InvariantCulture));
            }
        }

        var m = new MediaDescription(new SdpMediaLine(MediaOf(t.Kind), port, protocol, formats));
        m.Lines.Add(new SdpConnection("IN", "IP4", "0.0.0.0").ToLine());
        if (transportSetup is SetupRole setup)
        {
            AddTransport(m, setup, rtcpLine: true);
        }

        m.Mid = mid;
        if (bundleOnly)
        {
            m.BundleOnly = true;
        }

        foreach (ExtMap e in extensions)
        {
            m.Lines.Add(e.ToLine());
        }

        m.Direction = direction;
        if (direction.Sends())
        {
            m.Lines.Add(new Msid(_streamId, t.TrackId).ToLine());
        }

        m.RtcpMux = true;
        if (rtcpMuxOnly)
        {
            m.RtcpMuxOnly = true;
        }

        if (reducedSize)
        {
            m.RtcpReducedSize = true;
        }

        bool anyRtx = false;
        foreach (WrittenCodec c in codecs)
        {
            string format = c.PayloadType.ToString(CultureInfo.InvariantCulture);
            m.Lines.Add(new RtpMap(c.PayloadType, c.Name, c.ClockRate, c.Channels).ToLine());
            foreach (string fb in c.Feedback)
            {
                int sp = fb.IndexOf(' ', StringComparison.Ordinal);
                m.Lines.Add(new RtcpFeedback(format, sp < 0 ? fb : fb[..sp], sp < 0 ? null : fb[(sp + 1)..]).ToLine());
            }

            if (c.Parameters.Count > 0)
            {
                m.Lines.Add(FormatParameters.Create(format, c.Parameters).ToLine());
            }

            if (c.RtxPayloadType is int rtx)
            {
                anyRtx = true;
                m.Lines.Add(new RtpMap(rtx, "rtx", c.ClockRate).ToLine());
                m.Lines.Add(FormatParameters.Create(rtx.ToString(CultureInfo.InvariantCulture), [new FormatParameter("apt", format)]).ToLine());
            }
        }

        if (direction.Sends() && writeSsrcs)
        {
            // RFC 5576 §4.2 / RFC 4588 §8.3: the RTX stream is tied to the original with "a=ssrc-group:FID".
            string msid = new Msid(_streamId, t.TrackId).ToString();
            if (anyRtx)
            {
                m.Lines.Add(new SsrcGroup("FID", [t.Ssrc, t.RtxSsrc]).ToLine());
            }

            m.Lines.Add(new SsrcAttribute(t.Ssrc, SsrcAttribute.CName, _cname).ToLine());
            m.Lines.Add(new SsrcAttribute(t.Ssrc, SdpAttributeNames.Msid, msid).ToLine());
            if (anyRtx)
            {
                m.Lines.Add(new SsrcAttribute(t.RtxSsrc, SsrcAttribute.CName, _cname).ToLine());
                m.Lines.Add(new SsrcAttribute(t.RtxSsrc, SdpAttributeNames.Msid, msid).ToLine());
            }
        }

        return m;
    }

    /// <summary>
    /// Writes the "a=rid" lines (RFC 8851 §4) and one "a=simulcast" line with the send and receive streams (RFC 8853
    /// §5.1); nothing when both lists of streams are empty.
    /// </summary>
    private static void WriteSimulcast(MediaDescription m, IReadOnlyList<Rid> sendRids, IReadOnlyList<IReadOnlyList<SimulcastStream>> send, IReadOnlyList<Rid> receiveRids, IReadOnlyList<IReadOnlyList<SimulcastStream>> receive)
    {
        if (send.Count == 0 && receive.Count == 0)
        {
            return;
        }

        foreach (Rid r in sendRids)
        {
            m.Lines.Add(r.ToLine());
        }

        foreach (Rid r in receiveRids)
        {
            m.Lines.Add(r.ToLine());
        }

        m.Lines.Add(new Simulcast(send, receive).ToLine());
    }

    /// <summary>
    /// Payload types for our offer (RFC 8829 §5.2.2: a subsequent offer keeps the payload types of the section; new
    /// codecs take the session's earlier choice, their preferred one, or the next free dynamic number).
    /// </summary>
    private List<WrittenCodec> OfferCodecs(MediaSection section, IReadOnlyList<CodecCapability> capabilities)
    {
        var used = new HashSet<int>();

        // RFC 8843 §9.1: in one BUNDLE group a payload type names one codec in every m= section, so a number another
        // section uses for a different codec is not free here (Firefox's Opus 109 was offered again for a video codec,
        // and Firefox then counted our audio as a new stream).
        var ownKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (CodecCapability cap in capabilities)
        {
            ownKeys.Add(SdpCodec.KeyOf(cap));
            ownKeys.Add(SdpCodec.KeyOf(cap) + "/rtx");
        }

        foreach (MediaSection other in _sections)
        {
            if (other == section)
            {
                continue;
            }

            foreach (KeyValuePair<string, int> taken in other.PayloadTypes)
            {
                if (!ownKeys.Contains(taken.Key))
                {
                    used.Add(taken.Value);
                }
            }
        }

        foreach (CodecCapability cap in capabilities)
        {
            string key = SdpCodec.KeyOf(cap);
            if (section.PayloadTypes.TryGetValue(key, out int pt))
            {
                used.Add(pt);
            }

            if (cap.Rtx && section.PayloadTypes.TryGetValue(key + "/rtx", out int rtx))
            {
                used.Add(rtx);
            }
        }

        var list = new List<WrittenCodec>(capabilities.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (CodecCapability cap in capabilities)
        {
            string key = SdpCodec.KeyOf(cap);
            if (!keys.Add(key))
            {
                continue;
            }

            int pt = PayloadTypeFor(section, key, cap.PreferredPayloadType, used);
            int? rtx = cap.Rtx ? PayloadTypeFor(section, key + "/rtx", cap.PreferredRtxPayloadType, used) : null;
            list.Add(new WrittenCodec(pt, cap.Name, cap.ClockRate, cap.Channels, cap.Parameters, cap.Feedback, rtx));
        }

        return WithRedParameters(list);
    }

    /// <summary>
    /// RFC 2198 §5: a RED payload type's fmtp names its primary's payload type, here the first non-RED codec of the same
    /// clock rate (Opus: "111/111", as Chromium writes it, a primary and one redundant encoding of it). A RED capability
    /// with no such codec in the section is left out.
    /// </summary>
    private static List<WrittenCodec> WithRedParameters(List<WrittenCodec> list)
    {
        for (int i = list.Count - 1; i >= 0; i--)
        {
            WrittenCodec red = list[i];
            if (!string.Equals(red.Name, "red", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            WrittenCodec? primary = list.Find(c => c.ClockRate == red.ClockRate
                && !string.Equals(c.Name, "red", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(c.Name, "telephone-event", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(c.Name, "CN", StringComparison.OrdinalIgnoreCase));
            if (primary is null || primary.PayloadType > 127)
            {
                list.RemoveAt(i);
                continue;
            }

            list[i] = red with { Parameters = [new FormatParameter(global::RtcStack.Rtp.Red.RedFmtp.Format((byte)primary.PayloadType), null)] };
        }

        return list;
    }

    private int PayloadTypeFor(MediaSection section, string key, int? preferred, HashSet<int> used)
    {
        if (section.PayloadTypes.TryGetValue(key, out int pt))
        {
            return pt;
        }

        if (_sessionPayloadTypes.TryGetValue(key, out int earlier) && used.Add(earlier))
        {
            section.PayloadTypes[key] = earlier;
            return earlier;
        }

        if (preferred is int p && p is >= 0 and <= 127 && used.Add(p))
        {
            section.PayloadTypes[key] = p;
            return p;
        }

        for (int candidate = 96; candidate <= 127; candidate++)
        {
            if (used.Add(candidate))
            {
                section.PayloadTypes[key] = candidate;
                return candidate;
            }
        }

        for (int candidate = 35; candidate <= 63; candidate++)
        {
            if (used.Add(candidate))
            {
                section.PayloadTypes[key] = candidate;
                return candidate;
            }
        }

        throw new InvalidOperationException("More codecs than dynamic payload types (RFC 3551 §6).");
    }

    private List<ExtMap> OfferExtensions(MediaSection section, MediaKind kind)
    {
        var used = new HashSet<int>();
        foreach (HeaderExtensionCapability cap in _options.HeaderExtensions)
        {
            if (cap.Kind == kind && section.ExtensionIds.TryGetValue(cap.Uri, out int id))
            {
                used.Add(id);
            }
        }

        var list = new List<ExtMap>();
        foreach (HeaderExtensionCapability cap in _options.HeaderExtensions)
        {
            if (cap.Kind != kind || ContainsUri(list, cap.Uri))
            {
                continue;
            }

            if (!section.ExtensionIds.TryGetValue(cap.Uri, out int id))
            {
                id = _sessionExtensionIds.TryGetValue(cap.Uri, out int earlier) && used.Add(earlier) ? earlier
                    : cap.PreferredId is >= 1 and <= 255 && used.Add(cap.PreferredId) ? cap.PreferredId
                    : FreeExtensionId(used);
                section.ExtensionIds[cap.Uri] = id;
            }

            list.Add(new ExtMap(id, cap.Uri));
        }

        return list;
    }

    private static int FreeExtensionId(HashSet<int> used)
    {
        // RFC 8285 §4.2: 1-14 fit the one-byte form; past them the two-byte form (16-255 here) needs extmap-allow-mixed.
        for (int id = 1; id <= 255; id++)
        {
            if (id != 15 && used.Add(id))
            {
                return id;
            }
        }

        throw new InvalidOperationException("More header extensions than ids (RFC 8285 §4.3).");
    }

    private static bool ContainsUri(List<ExtMap> list, string uri)
    {
        foreach (ExtMap e in list)
        {
            if (string.Equals(e.Uri, uri, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A codec as written in one of our m= sections.</summary>
    private sealed record WrittenCodec(int PayloadType, string Name, int ClockRate, int? Channels, IReadOnlyList<FormatParameter> Parameters, IReadOnlyList<string> Feedback, int? RtxPayloadType);
}
