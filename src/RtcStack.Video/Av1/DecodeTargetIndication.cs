namespace RtcStack.Video;

/// <summary>The relationship of a frame to a decode target (AV1 RTP Appendix A.8.3, Table A.1).</summary>
public enum DecodeTargetIndication : byte
{
    /// <summary>No payload for this decode target is present ('-').</summary>
    NotPresent = 0,

    /// <summary>Present and discardable ('D').</summary>
    Discardable = 1,

    /// <summary>Present, and a switch to the decode target is possible here ('S').</summary>
    Switch = 2,

    /// <summary>Present, neither discardable nor a switch ('R').</summary>
    Required = 3,
}
