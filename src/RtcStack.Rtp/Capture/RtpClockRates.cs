namespace RtcStack.Rtp.Capture;

/// <summary>RTP clock rates of the static payload types of RFC 3551 §6 (Tables 4 and 5).</summary>
public static class RtpClockRates
{
    /// <summary>The rate assumed for dynamic payload types (96-127) when nothing else is known: 48 kHz, as for Opus (RFC 7587 §4.1).</summary>
    public const int DefaultDynamic = 48_000;

    /// <summary>Returns the RFC 3551 clock rate of a static payload type, or 0 for unassigned and dynamic ones.</summary>
    public static int GetStatic(byte payloadType) => payloadType switch
    {
        0 => 8000,   // PCMU
        3 => 8000,   // GSM
        4 => 8000,   // G723
        5 => 8000,   // DVI4
        6 => 16000,  // DVI4
        7 => 8000,   // LPC
        8 => 8000,   // PCMA
        9 => 8000,   // G722 (RFC 3551 §4.5.2: 8000 although sampled at 16 kHz)
        10 => 44100, // L16 stereo
        11 => 44100, // L16 mono
        12 => 8000,  // QCELP
        13 => 8000,  // CN
        14 => 90000, // MPA
        15 => 8000,  // G728
        16 => 11025, // DVI4
        17 => 22050, // DVI4
        18 => 8000,  // G729
        25 => 90000, // CelB
        26 => 90000, // JPEG
        28 => 90000, // nv
        31 => 90000, // H261
        32 => 90000, // MPV
        33 => 90000, // MP2T
        34 => 90000, // H263
        _ => 0,
    };
}
