namespace RtcStack.Opus;

/// <summary>
/// What the first symbols of one Opus frame tell a receiver without decoding the audio: the SILK
/// VAD and LBRR (in-band FEC) flags of RFC 6716 §4.2.3–§4.2.4 for SILK and Hybrid frames, and the
/// CELT silence flag of §4.3 for CELT-only frames.
/// </summary>
public readonly struct OpusFrameInfo
{
    internal OpusFrameInfo(OpusMode mode, int length, int silkFrameCount, int silkChannels, byte midVad, byte sideVad, byte midLbrr, byte sideLbrr, bool celtSilence)
    {
        Mode = mode;
        Length = length;
        SilkFrameCount = silkFrameCount;
        SilkChannels = silkChannels;
        MidVadFlags = midVad;
        SideVadFlags = sideVad;
        MidLbrrFlags = midLbrr;
        SideLbrrFlags = sideLbrr;
        IsCeltSilence = celtSilence;
    }

    /// <summary>Gets the operating mode from the TOC byte.</summary>
    public OpusMode Mode { get; }

    /// <summary>Gets the frame length in bytes.</summary>
    public int Length { get; }

    /// <summary>Gets a value indicating whether the frame is empty: RFC 6716 §3.2.1, DTX or a lost frame (the decoder conceals it).</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Gets the number of SILK frames per channel (1 for 10 and 20 ms, 2 for 40 ms, 3 for 60 ms; 0 for CELT-only or empty frames), RFC 6716 §4.2.2.</summary>
    public int SilkFrameCount { get; }

    /// <summary>Gets the number of SILK channels coded (2 for stereo: mid and side), or 0 when there is no SILK layer.</summary>
    public int SilkChannels { get; }

    /// <summary>Gets the VAD flags of the mid (or mono) channel, bit i for SILK frame i, RFC 6716 §4.2.3.</summary>
    public byte MidVadFlags { get; }

    /// <summary>Gets the VAD flags of the side channel (stereo only), RFC 6716 §4.2.3.</summary>
    public byte SideVadFlags { get; }

    /// <summary>Gets which 20 ms intervals (bit i for interval i) carry an LBRR frame for the mid (or mono) channel, RFC 6716 §4.2.4.</summary>
    public byte MidLbrrFlags { get; }

    /// <summary>Gets which intervals carry an LBRR frame for the side channel, RFC 6716 §4.2.4.</summary>
    public byte SideLbrrFlags { get; }

    /// <summary>Gets a value indicating whether the frame carries LBRR (in-band FEC) data for the audio before it, RFC 6716 §4.2.4.</summary>
    public bool HasLbrr => (MidLbrrFlags | SideLbrrFlags) != 0;

    /// <summary>Gets a value indicating whether a CELT-only frame has its silence flag set, RFC 6716 §4.3 (always false in other modes).</summary>
    public bool IsCeltSilence { get; }

    /// <summary>Gets whether the frame carries active audio as far as its headers tell.</summary>
    public OpusActivity Activity
    {
        get
        {
            if (IsEmpty)
            {
                return OpusActivity.Inactive;
            }

            if (Mode == OpusMode.Celt)
            {
                return IsCeltSilence ? OpusActivity.Inactive : OpusActivity.Active;
            }

            return (MidVadFlags | SideVadFlags) != 0 ? OpusActivity.Active : OpusActivity.Inactive;
        }
    }
}
