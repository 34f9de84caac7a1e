namespace RtcStack.Video;

/// <summary>
/// H.264 levels (ITU-T H.264 Annex A, Table A-1) by their level_idc, except level 1b, which is written as level_idc 11
/// with constraint_set3 in the Baseline, Constrained Baseline, Main and Extended profiles and as level_idc 9 in the
/// others (H.264 §A.3.1, §A.3.2; RFC 6184 §8.1). Compare levels with <see cref="H264ProfileLevelId.IsLevelLower"/>:
/// 1b lies between 1 and 1.1.
/// </summary>
#pragma warning disable CA1707 // Level names follow the standard's "1.1", "3.1"...
public enum H264Level
{
    /// <summary>Level 1b.</summary>
    Level1b = 0,

    /// <summary>Level 1.</summary>
    Level1 = 10,

    /// <summary>Level 1.1.</summary>
    Level1_1 = 11,

    /// <summary>Level 1.2.</summary>
    Level1_2 = 12,

    /// <summary>Level 1.3.</summary>
    Level1_3 = 13,

    /// <summary>Level 2.</summary>
    Level2 = 20,

    /// <summary>Level 2.1.</summary>
    Level2_1 = 21,

    /// <summary>Level 2.2.</summary>
    Level2_2 = 22,

    /// <summary>Level 3.</summary>
    Level3 = 30,

    /// <summary>Level 3.1.</summary>
    Level3_1 = 31,

    /// <summary>Level 3.2.</summary>
    Level3_2 = 32,

    /// <summary>Level 4.</summary>
    Level4 = 40,

    /// <summary>Level 4.1.</summary>
    Level4_1 = 41,

    /// <summary>Level 4.2.</summary>
    Level4_2 = 42,

    /// <summary>Level 5.</summary>
    Level5 = 50,

    /// <summary>Level 5.1.</summary>
    Level5_1 = 51,

    /// <summary>Level 5.2.</summary>
    Level5_2 = 52,

    /// <summary>Level 6 (H.264 2016 and later).</summary>
    Level6 = 60,

    /// <summary>Level 6.1.</summary>
    Level6_1 = 61,

    /// <summary>Level 6.2.</summary>
    Level6_2 = 62,
}
#pragma warning restore CA1707
