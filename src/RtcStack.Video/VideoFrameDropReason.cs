namespace RtcStack.Video;

/// <summary>Why a frame was given up (<see cref="VideoAssemblerEventKind.FrameDropped"/>).</summary>
public enum VideoFrameDropReason
{
    /// <summary>Not a drop.</summary>
    None,

    /// <summary>Packets were missing when a later frame completed or the frame left the window, or its first packet cannot start a frame.</summary>
    Incomplete,

    /// <summary>A payload of the frame was malformed, or did not continue the previous one (an FU-A out of place).</summary>
    Malformed,

    /// <summary>The frame did not fit the frame buffer (<see cref="VideoFrameAssembler.MaxFrameSize"/> or the caller's buffer).</summary>
    TooLarge,
}
