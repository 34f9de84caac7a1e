namespace RtcStack.Video;

/// <summary>
/// H.264 profiles as <c>profile-level-id</c> names them (RFC 6184 §8.1, Table 5: profile_idc with the profile-iop
/// constraint flags), plus Constrained High (H.264 §A.2.11: profile_idc 100 with constraint_set4 and 5), which browsers
/// offer as 640c.. and which postdates the RFC.
/// </summary>
public enum H264Profile
{
    /// <summary>Constrained Baseline (CB): 42 with constraint_set1, 4D with constraint_set0, 58 with constraint_set0 and 1.</summary>
    ConstrainedBaseline,

    /// <summary>Baseline (B): 42 without constraint_set1, 58 with constraint_set0 only.</summary>
    Baseline,

    /// <summary>Main (M): 4D without constraint_set0 and constraint_set2.</summary>
    Main,

    /// <summary>Extended (E): 58 without constraint_set0 and constraint_set1.</summary>
    Extended,

    /// <summary>High (H): 64, no constraint flags.</summary>
    High,

    /// <summary>High 10 (H10): 6E, no constraint flags.</summary>
    High10,

    /// <summary>High 4:2:2 (H42): 7A, no constraint flags.</summary>
    High422,

    /// <summary>High 4:4:4 Predictive (H44): F4, no constraint flags.</summary>
    High444,

    /// <summary>High 10 Intra (H10I): 6E with constraint_set3.</summary>
    High10Intra,

    /// <summary>High 4:2:2 Intra (H42I): 7A with constraint_set3.</summary>
    High422Intra,

    /// <summary>High 4:4:4 Intra (H44I): F4 with constraint_set3.</summary>
    High444Intra,

    /// <summary>CAVLC 4:4:4 Intra (C44I): 2C with constraint_set3.</summary>
    Cavlc444Intra,

    /// <summary>Constrained High: 64 with constraint_set4 and constraint_set5 (not in RFC 6184's table; libwebrtc's 640c).</summary>
    ConstrainedHigh,
}
