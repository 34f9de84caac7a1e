using System.Globalization;
using System.Text;

namespace RtcStack.Opus;

/// <summary>
/// The audio/opus media type parameters of RFC 7587 §6.1 as carried in an SDP <c>a=fmtp</c> line
/// (plus <c>minptime</c>, the WebRTC convention). Parsing takes plain key/value strings, never
/// throws, and sets aside values the RFC says to ignore (e.g. maxaveragebitrate outside
/// 6000–510000). Unset parameters are null; the <c>Effective*</c> members apply the RFC defaults.
/// </summary>
public sealed class OpusFmtp
{
    private readonly List<KeyValuePair<string, string>> _unknown = [];
    private readonly List<KeyValuePair<string, string>> _ignored = [];

    /// <summary>Gets or sets <c>maxplaybackrate</c>: the highest output sample rate the receiver can render, 8000–48000 Hz (default 48000).</summary>
    public int? MaxPlaybackRate { get; set; }

    /// <summary>Gets or sets <c>sprop-maxcapturerate</c>: the highest input sample rate the sender is likely to produce, 8000–48000 Hz (default 48000).</summary>
    public int? SpropMaxCaptureRate { get; set; }

    /// <summary>Gets or sets <c>maxaveragebitrate</c>: the highest average bitrate the receiver wants, 6000–510000 b/s.</summary>
    public int? MaxAverageBitrate { get; set; }

    /// <summary>Gets or sets <c>stereo</c>: whether the receiver prefers stereo (default false).</summary>
    public bool? Stereo { get; set; }

    /// <summary>Gets or sets <c>sprop-stereo</c>: whether the sender is likely to send stereo (default false).</summary>
    public bool? SpropStereo { get; set; }

    /// <summary>Gets or sets <c>cbr</c>: whether the receiver prefers constant bitrate (default false).</summary>
    public bool? Cbr { get; set; }

    /// <summary>Gets or sets <c>useinbandfec</c>: whether the receiver can use in-band FEC (default false).</summary>
    public bool? UseInbandFec { get; set; }

    /// <summary>Gets or sets <c>usedtx</c>: whether the receiver prefers DTX (default false).</summary>
    public bool? UseDtx { get; set; }

    /// <summary>Gets or sets <c>ptime</c>: the preferred packet duration in ms, 3–120 (default 20). In SDP it is usually the <c>a=ptime</c> attribute.</summary>
    public int? Ptime { get; set; }

    /// <summary>Gets or sets <c>maxptime</c>: the longest packet duration in ms, 3–120 (default 120). In SDP it is usually <c>a=maxptime</c>.</summary>
    public int? MaxPtime { get; set; }

    /// <summary>Gets or sets <c>minptime</c>: the shortest packet duration in ms (WebRTC's fmtp convention, not in RFC 7587).</summary>
    public int? MinPtime { get; set; }

    /// <summary>Gets parameters this type does not know, in input order. RFC 7587 §7.1: an answer MUST NOT echo them; <see cref="ToString"/> leaves them out unless asked.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UnknownParameters => _unknown;

    /// <summary>Gets known parameters whose values were out of range or malformed and were therefore ignored.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> IgnoredParameters => _ignored;

    /// <summary>Gets maxplaybackrate or its default, 48000.</summary>
    public int EffectiveMaxPlaybackRate => MaxPlaybackRate ?? 48000;

    /// <summary>Gets sprop-maxcapturerate or its default, 48000.</summary>
    public int EffectiveSpropMaxCaptureRate => SpropMaxCaptureRate ?? 48000;

    /// <summary>Gets ptime or its default, 20 ms.</summary>
    public int EffectivePtime => Ptime ?? 20;

    /// <summary>Gets maxptime or its default, 120 ms.</summary>
    public int EffectiveMaxPtime => MaxPtime ?? 120;

    /// <summary>
    /// Gets the widest bandwidth worth sending to a receiver with this maxplaybackrate (RFC 7587
    /// §7.1: a sender MUST NOT use more audio bandwidth than that rate can render).
    /// </summary>
    public OpusBandwidth MaxBandwidth => EffectiveMaxPlaybackRate switch
    {
        <= 8000 => OpusBandwidth.Narrowband,
        <= 12000 => OpusBandwidth.Mediumband,
        <= 16000 => OpusBandwidth.Wideband,
        <= 24000 => OpusBandwidth.SuperWideband,
        _ => OpusBandwidth.Fullband,
    };

    /// <summary>Parses the value of an <c>a=fmtp</c> line after the payload type, e.g. <c>minptime=10;useinbandfec=1</c> (spaces after ';' allowed).</summary>
    public static OpusFmtp Parse(string? parameters)
    {
        var result = new OpusFmtp();
        if (string.IsNullOrEmpty(parameters))
        {
            return result;
        }

        foreach (string part in parameters.Split(';'))
        {
            string item = part.Trim();
            if (item.Length == 0)
            {
                continue;
            }

            int eq = item.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? item : item[..eq].Trim();
            string value = eq < 0 ? "" : item[(eq + 1)..].Trim();
            result.Set(key, value);
        }

        return result;
    }

    /// <summary>Builds from key/value pairs (for example from an SDP library's fmtp model). Later duplicates win.</summary>
    public static OpusFmtp Parse(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new OpusFmtp();
        foreach (KeyValuePair<string, string> pair in parameters)
        {
            result.Set(pair.Key?.Trim() ?? "", pair.Value?.Trim() ?? "");
        }

        return result;
    }

    /// <summary>Returns the parameters that are set, in RFC 7587 order, as key/value strings.</summary>
    public List<KeyValuePair<string, string>> ToParameters(bool includeUnknown = false)
    {
        var list = new List<KeyValuePair<string, string>>();
        Add(list, "minptime", MinPtime);
        Add(list, "ptime", Ptime);
        Add(list, "maxptime", MaxPtime);
        Add(list, "maxplaybackrate", MaxPlaybackRate);
        Add(list, "sprop-maxcapturerate", SpropMaxCaptureRate);
        Add(list, "maxaveragebitrate", MaxAverageBitrate);
        Add(list, "stereo", Stereo);
        Add(list, "sprop-stereo", SpropStereo);
        Add(list, "cbr", Cbr);
        Add(list, "useinbandfec", UseInbandFec);
        Add(list, "usedtx", UseDtx);
        if (includeUnknown)
        {
            list.AddRange(_unknown);
        }

        return list;
    }

    /// <summary>Writes the fmtp value (<c>key=value;key=value</c>) without unknown parameters, as an answer must (RFC 7587 §7.1).</summary>
    public override string ToString() => Format(includeUnknown: false);

    /// <summary>Writes the fmtp value, optionally with the unknown parameters kept from parsing.</summary>
    public string Format(bool includeUnknown)
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, string> pair in ToParameters(includeUnknown))
        {
            if (sb.Length > 0)
            {
                sb.Append(';');
            }

            sb.Append(pair.Key);
            if (pair.Value.Length > 0)
            {
                sb.Append('=').Append(pair.Value);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Gets the channel count to decode the sender's stream with, from its <c>sprop-stereo</c>
    /// (RFC 7587 §6.1: a hint about what the sender produces, so a receiver of a mono sender can
    /// decode in mono). This is the remote's sender-side parameter; it says nothing about what the
    /// remote wants to receive, so <see cref="ConfigureEncoder"/> does not use it.
    /// </summary>
    public int DecoderChannels => SpropStereo == true ? 2 : 1;

    /// <summary>
    /// Gets the duration of one encoder frame, in samples at 48 kHz, and how many such frames to put in
    /// one RTP packet, so packets last the receiver's <c>ptime</c> (RFC 7587 §6.1: 3, 5, 10, 20, 40, 60
    /// or a multiple of an Opus frame size, in ms rounded up to a whole number, at most 120) without
    /// exceeding <c>maxptime</c>. Picks the longest Opus frame (2.5, 5, 10, 20, 40 or 60 ms) of which
    /// ptime is a whole number of frames after the RFC's rounding up (ptime=3 is one 2.5 ms frame,
    /// ptime=30 is three 10 ms frames); a ptime that is no such multiple gets the longest frame that
    /// fits in it, one per packet.
    /// </summary>
    public (int FrameSamples48k, int FramesPerPacket) EncoderFrameLayout
    {
        get
        {
            int ptime = Math.Min(EffectivePtime, EffectiveMaxPtime);
            ReadOnlySpan<int> frames = [2880, 1920, 960, 480, 240, 120]; // 60 .. 2.5 ms at 48 kHz
            foreach (int frame in frames)
            {
                for (int count = 1; count * frame <= 120 * 48; count++)
                {
                    int samples = count * frame;
                    int roundedMs = (samples + 47) / 48;
                    if (roundedMs == ptime && roundedMs <= EffectiveMaxPtime)
                    {
                        return (frame, count);
                    }
                }
            }

            foreach (int frame in frames)
            {
                if ((frame + 47) / 48 <= ptime)
                {
                    return (frame, 1);
                }
            }

            return (120, 1);
        }
    }

    /// <summary>
    /// Configures an encoder that sends to the receiver who wrote these parameters (RFC 7587 §6.1
    /// and §7.1): mono unless <c>stereo=1</c> (a sender MUST NOT send stereo to a receiver that
    /// said stereo=0 or nothing), bitrate capped by <c>maxaveragebitrate</c>, audio bandwidth
    /// limited to what <c>maxplaybackrate</c> can render, CBR if <c>cbr=1</c>, in-band FEC if
    /// <c>useinbandfec=1</c>, DTX if <c>usedtx=1</c>. Frame duration follows <c>ptime</c> through
    /// <see cref="EncoderFrameLayout"/> (the frame size is chosen per encode call, not a control).
    /// The remote's <c>sprop-stereo</c> and <c>sprop-maxcapturerate</c> describe what it sends and
    /// are not applied (see <see cref="DecoderChannels"/>).
    /// </summary>
    public void ConfigureEncoder(IOpusEncoder encoder, int? bitrate = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.MaxBandwidth = MaxBandwidth;
        int target = bitrate ?? encoder.Bitrate;
        if (MaxAverageBitrate is int cap && (target <= 0 || target > cap))
        {
            target = cap;
        }

        if (target > 0)
        {
            encoder.Bitrate = target;
        }

        encoder.ForceChannels = Stereo == true ? OpusEncoder.Auto : 1;
        encoder.Vbr = Cbr != true;
        encoder.InbandFec = UseInbandFec == true;
        encoder.Dtx = UseDtx == true;
    }

    private void Set(string key, string value)
    {
        string name = key.ToLowerInvariant();
        switch (name)
        {
            case "maxplaybackrate":
                MaxPlaybackRate = Int(name, value, 8000, 48000) ?? MaxPlaybackRate;
                break;
            case "sprop-maxcapturerate":
                SpropMaxCaptureRate = Int(name, value, 8000, 48000) ?? SpropMaxCaptureRate;
                break;
            case "maxaveragebitrate":
                MaxAverageBitrate = Int(name, value, 6000, 510000) ?? MaxAverageBitrate;
                break;
            case "ptime":
                Ptime = Int(name, value, 3, 120) ?? Ptime;
                break;
            case "maxptime":
                MaxPtime = Int(name, value, 3, 120) ?? MaxPtime;
                break;
            case "minptime":
                MinPtime = Int(name, value, 3, 120) ?? MinPtime;
                break;
            case "stereo":
                Stereo = Bool(name, value) ?? Stereo;
                break;
            case "sprop-stereo":
                SpropStereo = Bool(name, value) ?? SpropStereo;
                break;
            case "cbr":
                Cbr = Bool(name, value) ?? Cbr;
                break;
            case "useinbandfec":
                UseInbandFec = Bool(name, value) ?? UseInbandFec;
                break;
            case "usedtx":
                UseDtx = Bool(name, value) ?? UseDtx;
                break;
            default:
                if (key.Length > 0)
                {
                    _unknown.Add(new KeyValuePair<string, string>(key, value));
                }

                break;
        }
    }

    private int? Int(string key, string value, int min, int max)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed >= min && parsed <= max)
        {
            return parsed;
        }

        _ignored.Add(new KeyValuePair<string, string>(key, value));
        return null;
    }

    private bool? Bool(string key, string value)
    {
        switch (value)
        {
            case "1":
                return true;
            case "0":
                return false;
            default:
                _ignored.Add(new KeyValuePair<string, string>(key, value));
                return null;
        }
    }

    private static void Add(List<KeyValuePair<string, string>> list, string key, int? value)
    {
        if (value is int v)
        {
            list.Add(new KeyValuePair<string, string>(key, v.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static void Add(List<KeyValuePair<string, string>> list, string key, bool? value)
    {
        if (value is bool v)
        {
            list.Add(new KeyValuePair<string, string>(key, v ? "1" : "0"));
        }
    }
}
