namespace RtcStack.Video;

/// <summary>The outcome of <see cref="DependencyDescriptorReader.Read"/> (AV1 RTP Appendix A.8).</summary>
public enum DependencyDescriptorStatus
{
    /// <summary>Read completely: mandatory fields and the frame's dependencies.</summary>
    Ok,

    /// <summary>Fewer than the 3 bytes of the mandatory fields, or a field runs past the end.</summary>
    TooShort,

    /// <summary>A value the syntax forbids or this reader cannot hold (more than 64 templates, too many frame differences).</summary>
    Malformed,

    /// <summary>
    /// The mandatory fields were read, but the rest needs a template dependency structure and none has been received
    /// (the packet that carried it was lost): the frame's dependencies are unknown.
    /// </summary>
    NoStructure,

    /// <summary>
    /// The mandatory fields were read, but frame_dependency_template_id is outside the current structure (A.8.3: a
    /// packet with a new structure was lost or delayed): the frame's dependencies are unknown.
    /// </summary>
    UnknownTemplate,
}
