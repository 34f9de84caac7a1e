using System.Globalization;
using RtcStack.Sdp;
using RtcStack.Video;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// A payload type as one m= section describes it (rtpmap, fmtp, rtcp-fb with "*" expanded, RFC 4585 §4.2), and the
/// codec matching rules of RFC 3264 §6.1 with the codec-specific ones browsers apply: H.264 by profile and
/// packetization-mode (RFC 6184 §8.2.2), VP9 by profile-id (RFC 9628 §6), AV1 by profile.
/// </summary>
internal sealed class SdpCodec
{
    private SdpCodec(int payloadType, string name, int clockRate, int? channels, IReadOnlyList<FormatParameter> parameters, List<string> feedback)
    {
        PayloadType = payloadType;
        Name = name;
        ClockRate = clockRate;
        Channels = channels;
        Parameters = parameters;
        Feedback = feedback;
    }

    public int PayloadType { get; }

    public string Name { get; }

    public int ClockRate { get; }

    public int? Channels { get; }

    public IReadOnlyList<FormatParameter> Parameters { get; }

    public List<string> Feedback { get; }

    public bool IsRtx => string.Equals(Name, "rtx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets a value indicating whether this is RFC 2198 redundancy ("red"), whose fmtp names other payload types.</summary>
    public bool IsRed => string.Equals(Name, "red", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the payload type an RTX payload type repairs ("apt", RFC 4588 §8.6), or -1.</summary>
    public int Apt => IsRtx && GetParameter(Parameters, "apt") is string apt && int.TryParse(apt, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v is >= 0 and <= 127 ? v : -1;

    /// <summary>Reads the payload types of an m= section in m-line order; payload types without an rtpmap are skipped unless static (RFC 3551 §6).</summary>
    public static List<SdpCodec> Read(MediaDescription media)
    {
        var maps = new Dictionary<int, RtpMap>();
        foreach (RtpMap map in media.GetRtpMaps())
        {
            maps.TryAdd(map.PayloadType, map);
        }

        var fmtps = new Dictionary<string, FormatParameters>(StringComparer.Ordinal);
        foreach (FormatParameters f in media.GetFormatParameters())
        {
            fmtps.TryAdd(f.Format, f);
        }

        IReadOnlyList<RtcpFeedback> feedback = media.GetRtcpFeedback();
        // Each line's "type [parameter]" once, not once per payload type (a browser's video section has ~20 payload
        // types and ~25 rtcp-fb lines).
        var keys = new string[feedback.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            RtcpFeedback f = feedback[i];
            keys[i] = f.Parameter is null ? f.Type : f.Type + " " + f.Parameter;
        }

        var list = new List<SdpCodec>();
        var seen = new HashSet<int>();
        foreach (int pt in media.GetPayloadTypes())
        {
            if (!seen.Add(pt))
            {
                continue;
            }

            RtpMap? map = maps.TryGetValue(pt, out RtpMap? m) ? m : StaticMap(pt);
            if (map is null)
            {
                continue;
            }

            string format = pt.ToString(CultureInfo.InvariantCulture);
            IReadOnlyList<FormatParameter> parameters = fmtps.TryGetValue(format, out FormatParameters? fp) ? fp.GetParameters() : [];
            var fb = new List<string>();
            for (int i = 0; i < keys.Length; i++)
            {
                // RtcpFeedback.AppliesTo(pt), with the payload type's text made once.
                string applies = feedback[i].PayloadType;
                if ((applies == RtcpFeedback.AllPayloadTypes || string.Equals(applies, format, StringComparison.Ordinal)) && !fb.Contains(keys[i]))
                {
                    fb.Add(keys[i]);
                }
            }

            list.Add(new SdpCodec(pt, map.EncodingName, map.ClockRate, map.Channels, parameters, fb));
        }

        return list;
    }

    /// <summary>
    /// A key that is the same for every payload type of one codec configuration: name, clock rate, channels and the
    /// parameters that make payload types distinct (H.264 profile and packetization-mode, VP9 profile-id, AV1 profile).
    /// </summary>
    public static string KeyOf(CodecCapability codec) => KeyOf(codec.Name, codec.ClockRate, codec.Channels, codec.Parameters);

    public static string KeyOf(string name, int clockRate, int? channels, IReadOnlyList<FormatParameter> parameters)
    {
        string n = name.ToUpperInvariant();
        string distinct = n switch
        {
            "H264" => ProfileOf(GetParameter(parameters, "profile-level-id")) + "/" + (GetParameter(parameters, "packetization-mode") ?? "0"),
            "VP9" => GetParameter(parameters, "profile-id") ?? "0",
            "AV1" => GetParameter(parameters, "profile") ?? "0",
            _ => string.Empty,
        };
        return string.Create(CultureInfo.InvariantCulture, $"{n}/{clockRate}/{ChannelsOf(n, channels)}/{distinct}");
    }

    /// <summary>Whether this offered payload type is the capability's codec (RFC 3264 §6.1 plus the codec-specific rules above).</summary>
    public bool Matches(CodecCapability capability) =>
        !IsRtx && string.Equals(KeyOf(Name, ClockRate, Channels, Parameters), KeyOf(capability), StringComparison.Ordinal);

    /// <summary>Whether two payload types of two descriptions carry the same codec.</summary>
    public bool Matches(SdpCodec other) =>
        string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase) && ClockRate == other.ClockRate
        && ChannelsOf(Name.ToUpperInvariant(), Channels) == ChannelsOf(other.Name.ToUpperInvariant(), other.Channels);

    /// <summary>
    /// The fmtp we write when answering this offered payload type with <paramref name="capability"/>: ours, except
    /// that H.264's profile-level-id is negotiated as browsers do (RFC 6184 §8.2.2) and VP9/AV1 keep the offered profile.
    /// </summary>
    public IReadOnlyList<FormatParameter> AnswerParameters(CodecCapability capability)
    {
        if (IsRed)
        {
            // RFC 2198 §5: the fmtp names the primary's payload type, and the answer keeps the offer's numbers.
            return Parameters;
        }

        if (!string.Equals(Name, "H264", StringComparison.OrdinalIgnoreCase))
        {
            return capability.Parameters;
        }

        if (!H264ProfileLevelId.TryParseOrDefault(capability.GetParameter("profile-level-id"), out H264ProfileLevelId local)
            || !H264ProfileLevelId.TryParseOrDefault(GetParameter(Parameters, "profile-level-id"), out H264ProfileLevelId offered)
            || !H264ProfileLevelId.TryNegotiateAnswer(
                local,
                capability.GetParameter("level-asymmetry-allowed") == "1",
                offered,
                GetParameter(Parameters, "level-asymmetry-allowed") == "1",
                out H264ProfileLevelId answer))
        {
            return capability.Parameters;
        }

        var list = new List<FormatParameter>(capability.Parameters.Count);
        foreach (FormatParameter p in capability.Parameters)
        {
            list.Add(string.Equals(p.Name, "profile-level-id", StringComparison.OrdinalIgnoreCase) ? new FormatParameter(p.Name, answer.ToString()) : p);
        }

        return list;
    }

    /// <summary>
    /// The payload types a RED fmtp names (RFC 2198 §5: "111/111"), or null when <paramref name="parameters"/> is not one
    /// bare item of 1-33 payload types separated by '/'.
    /// </summary>
    public static byte[]? RedPayloadTypes(IReadOnlyList<FormatParameter> parameters) =>
        parameters.Count == 1 && parameters[0].Value is null && global::RtcStack.Rtp.Red.RedFmtp.TryParse(parameters[0].Name, out byte[] pts) ? pts : null;

    public static string? GetParameter(IReadOnlyList<FormatParameter> parameters, string name)
    {
        foreach (FormatParameter p in parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static string ProfileOf(string? profileLevelId) =>
        H264ProfileLevelId.TryParseOrDefault(profileLevelId, out H264ProfileLevelId v) ? v.Profile.ToString() : "invalid:" + profileLevelId;

    // RFC 8866 §6.6: no channel count means one; Opus is always written /2 (RFC 7587 §7), and a missing count there
    // (GStreamer 1.22 writes "OPUS/48000") is read as 2.
    private static int ChannelsOf(string upperName, int? channels) => channels ?? (upperName == "OPUS" ? 2 : 1);

    private static RtpMap? StaticMap(int pt) => pt switch
    {
        0 => new RtpMap(0, "PCMU", 8000),
        8 => new RtpMap(8, "PCMA", 8000),
        9 => new RtpMap(9, "G722", 8000),
        _ => null,
    };
}
