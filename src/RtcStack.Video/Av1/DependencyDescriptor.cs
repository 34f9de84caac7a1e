namespace RtcStack.Video;

/// <summary>
/// One packet's dependency descriptor as <see cref="DependencyDescriptorReader.Read"/> fills it (AV1 RTP Appendix
/// A.8): the mandatory fields, and the frame's layer, decode target indications, frame differences and chain
/// differences, from its template or its custom fields. Reused from packet to packet; allocates nothing.
/// </summary>
public sealed class DependencyDescriptor
{
    /// <summary>The most custom frame differences one descriptor may carry here (each takes at least 6 bits).</summary>
    public const int MaxFrameDiffs = 1024;

    private readonly DecodeTargetIndication[] _dtis = new DecodeTargetIndication[FrameDependencyStructure.MaxDecodeTargets];
    private readonly ushort[] _frameDiffs = new ushort[MaxFrameDiffs];
    private readonly byte[] _chainDiffs = new byte[FrameDependencyStructure.MaxDecodeTargets];
    private int _dtiCount;
    private int _frameDiffCount;
    private int _chainDiffCount;

    /// <summary>Gets start_of_frame: the packet's payload begins a frame.</summary>
    public bool StartOfFrame { get; private set; }

    /// <summary>Gets end_of_frame: the packet is the frame's last.</summary>
    public bool EndOfFrame { get; private set; }

    /// <summary>Gets frame_dependency_template_id.</summary>
    public int TemplateId { get; private set; }

    /// <summary>Gets frame_number (16 bits, wrapping).</summary>
    public int FrameNumber { get; private set; }

    /// <summary>Gets whether the packet carried a template dependency structure (the first packet of a coded video sequence, A.8.3).</summary>
    public bool HasStructure { get; private set; }

    /// <summary>Gets whether the packet carried active_decode_targets_bitmask.</summary>
    public bool HasActiveDecodeTargets { get; private set; }

    /// <summary>Gets the active decode targets in force after this packet (bit i: decode target i), A.4.</summary>
    public uint ActiveDecodeTargets { get; private set; }

    /// <summary>Gets custom_dtis_flag.</summary>
    public bool CustomDecodeTargetIndications { get; private set; }

    /// <summary>Gets custom_fdiffs_flag.</summary>
    public bool CustomFrameDiffs { get; private set; }

    /// <summary>Gets custom_chains_flag.</summary>
    public bool CustomChains { get; private set; }

    /// <summary>Gets FrameSpatialId, or -1 when the frame's dependencies were not read.</summary>
    public int SpatialId { get; private set; } = -1;

    /// <summary>Gets FrameTemporalId, or -1 when the frame's dependencies were not read.</summary>
    public int TemporalId { get; private set; } = -1;

    /// <summary>Gets FrameMaxWidth, or 0 when the structure has no resolutions.</summary>
    public int MaxRenderWidth { get; private set; }

    /// <summary>Gets FrameMaxHeight, or 0 when the structure has no resolutions.</summary>
    public int MaxRenderHeight { get; private set; }

    /// <summary>Gets frame_dti: one decode target indication per decode target.</summary>
    public ReadOnlySpan<DecodeTargetIndication> DecodeTargetIndications => _dtis.AsSpan(0, _dtiCount);

    /// <summary>Gets FrameFdiff: frame_number minus each referred frame's frame_number (modulo 2^16).</summary>
    public ReadOnlySpan<ushort> FrameDiffs => _frameDiffs.AsSpan(0, _frameDiffCount);

    /// <summary>Gets frame_chain_fdiff: per chain, frame_number minus that of the chain's previous frame (0: none needed).</summary>
    public ReadOnlySpan<byte> ChainDiffs => _chainDiffs.AsSpan(0, _chainDiffCount);

    internal void SetMandatory(bool start, bool end, int templateId, int frameNumber)
    {
        StartOfFrame = start;
        EndOfFrame = end;
        TemplateId = templateId;
        FrameNumber = frameNumber;
        HasStructure = false;
        HasActiveDecodeTargets = false;
        CustomDecodeTargetIndications = false;
        CustomFrameDiffs = false;
        CustomChains = false;
        ClearFrame();
    }

    internal void SetExtended(bool structure, bool activePresent, bool customDtis, bool customFdiffs, bool customChains)
    {
        HasStructure = structure;
        HasActiveDecodeTargets = activePresent;
        CustomDecodeTargetIndications = customDtis;
        CustomFrameDiffs = customFdiffs;
        CustomChains = customChains;
    }

    internal void SetActiveDecodeTargets(uint mask) => ActiveDecodeTargets = mask;

    internal void ClearFrame()
    {
        SpatialId = -1;
        TemporalId = -1;
        MaxRenderWidth = 0;
        MaxRenderHeight = 0;
        _dtiCount = 0;
        _frameDiffCount = 0;
        _chainDiffCount = 0;
    }

    internal void SetLayer(int spatialId, int temporalId, int width, int height)
    {
        SpatialId = spatialId;
        TemporalId = temporalId;
        MaxRenderWidth = width;
        MaxRenderHeight = height;
    }

    internal Span<DecodeTargetIndication> DtiStorage(int count)
    {
        _dtiCount = count;
        return _dtis.AsSpan(0, count);
    }

    internal bool TryAddFrameDiff(int diff)
    {
        if (_frameDiffCount == MaxFrameDiffs)
        {
            return false;
        }

        _frameDiffs[_frameDiffCount++] = (ushort)diff;
        return true;
    }

    internal Span<byte> ChainStorage(int count)
    {
        _chainDiffCount = count;
        return _chainDiffs.AsSpan(0, count);
    }
}
