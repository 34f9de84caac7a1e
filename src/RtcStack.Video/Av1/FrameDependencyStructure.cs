namespace RtcStack.Video;

/// <summary>
/// A template dependency structure (AV1 RTP Appendix A.8.2 template_dependency_structure, A.8.3): the frame
/// dependency templates (spatial and temporal id, decode target indications, frame differences, chain differences),
/// the decode targets and the chains protecting them, and optionally each spatial layer's maximum render resolution.
/// Holds fixed-size storage so that reading one allocates nothing.
/// </summary>
public sealed class FrameDependencyStructure
{
    /// <summary>The most templates a structure can hold: frame_dependency_template_id has 6 bits (A.8.2).</summary>
    public const int MaxTemplates = 64;

    /// <summary>The most decode targets: dt_cnt_minus_one has 5 bits (A.8.2).</summary>
    public const int MaxDecodeTargets = 32;

    /// <summary>The most frame differences all templates together may hold in this reader (a header extension holds at most 255 bytes, 408 differences).</summary>
    public const int MaxTotalFrameDiffs = 1024;

    private readonly byte[] _spatialIds = new byte[MaxTemplates];
    private readonly byte[] _temporalIds = new byte[MaxTemplates];
    private readonly DecodeTargetIndication[] _dtis = new DecodeTargetIndication[MaxTemplates * MaxDecodeTargets];
    private readonly byte[] _chainDiffs = new byte[MaxTemplates * MaxDecodeTargets];
    private readonly short[] _fdiffStart = new short[MaxTemplates];
    private readonly byte[] _fdiffCount = new byte[MaxTemplates];
    private readonly byte[] _fdiffs = new byte[MaxTotalFrameDiffs];
    private readonly byte[] _protectedBy = new byte[MaxDecodeTargets];
    private readonly byte[] _targetSpatialIds = new byte[MaxDecodeTargets];
    private readonly byte[] _targetTemporalIds = new byte[MaxDecodeTargets];
    private readonly ushort[] _widths = new ushort[MaxTemplates];
    private readonly ushort[] _heights = new ushort[MaxTemplates];

    /// <summary>Gets template_id_offset: the frame_dependency_template_id of template 0.</summary>
    public int TemplateIdOffset { get; private set; }

    /// <summary>Gets DtCnt, the number of decode targets (1-32).</summary>
    public int DecodeTargetCount { get; private set; }

    /// <summary>Gets TemplateCnt, the number of frame dependency templates.</summary>
    public int TemplateCount { get; private set; }

    /// <summary>Gets chain_cnt (0: no chains).</summary>
    public int ChainCount { get; private set; }

    /// <summary>Gets MaxSpatialId of the templates.</summary>
    public int MaxSpatialId { get; private set; }

    /// <summary>Gets MaxTemporalId of the templates.</summary>
    public int MaxTemporalId { get; private set; }

    /// <summary>Gets resolutions_present_flag.</summary>
    public bool ResolutionsPresent { get; private set; }

    /// <summary>Gets TemplateSpatialId[<paramref name="template"/>].</summary>
    public int GetSpatialId(int template) => _spatialIds[CheckTemplate(template)];

    /// <summary>Gets TemplateTemporalId[<paramref name="template"/>].</summary>
    public int GetTemporalId(int template) => _temporalIds[CheckTemplate(template)];

    /// <summary>Gets template_dti[<paramref name="template"/>], one per decode target.</summary>
    public ReadOnlySpan<DecodeTargetIndication> GetDecodeTargetIndications(int template) =>
        _dtis.AsSpan(CheckTemplate(template) * MaxDecodeTargets, DecodeTargetCount);

    /// <summary>Gets TemplateFdiff[<paramref name="template"/>]: the differences to the frame numbers of the referred frames (1-16).</summary>
    public ReadOnlySpan<byte> GetFrameDiffs(int template) =>
        _fdiffs.AsSpan(_fdiffStart[CheckTemplate(template)], _fdiffCount[template]);

    /// <summary>Gets template_chain_fdiff[<paramref name="template"/>], one per chain (0-15).</summary>
    public ReadOnlySpan<byte> GetChainDiffs(int template) =>
        _chainDiffs.AsSpan(CheckTemplate(template) * MaxDecodeTargets, ChainCount);

    /// <summary>Gets decode_target_protected_by[<paramref name="decodeTarget"/>]: the chain protecting it (only when <see cref="ChainCount"/> &gt; 0).</summary>
    public int GetProtectingChain(int decodeTarget) => _protectedBy[CheckTarget(decodeTarget)];

    /// <summary>Gets DecodeTargetSpatialId[<paramref name="decodeTarget"/>] (A.8.2 decode_target_layers).</summary>
    public int GetDecodeTargetSpatialId(int decodeTarget) => _targetSpatialIds[CheckTarget(decodeTarget)];

    /// <summary>Gets DecodeTargetTemporalId[<paramref name="decodeTarget"/>].</summary>
    public int GetDecodeTargetTemporalId(int decodeTarget) => _targetTemporalIds[CheckTarget(decodeTarget)];

    /// <summary>Gets max_render_width_minus_1 + 1 of <paramref name="spatialId"/>, or 0 without resolutions.</summary>
    public int GetMaxRenderWidth(int spatialId) => ResolutionsPresent && (uint)spatialId <= (uint)MaxSpatialId ? _widths[spatialId] + 1 : 0;

    /// <summary>Gets max_render_height_minus_1 + 1 of <paramref name="spatialId"/>, or 0 without resolutions.</summary>
    public int GetMaxRenderHeight(int spatialId) => ResolutionsPresent && (uint)spatialId <= (uint)MaxSpatialId ? _heights[spatialId] + 1 : 0;

    /// <summary>Reads template_dependency_structure() (A.8.2) into this instance.</summary>
    internal DependencyDescriptorStatus Read(ref DependencyDescriptorBitReader reader)
    {
        TemplateIdOffset = (int)reader.ReadBits(6);
        DecodeTargetCount = (int)reader.ReadBits(5) + 1;

        // template_layers()
        int temporalId = 0;
        int spatialId = 0;
        int count = 0;
        int maxTemporalId = 0;
        uint nextLayer;
        do
        {
            if (count == MaxTemplates)
            {
                return DependencyDescriptorStatus.Malformed;
            }

            _spatialIds[count] = (byte)spatialId;
            _temporalIds[count] = (byte)temporalId;
            count++;
            nextLayer = reader.ReadBits(2);
            if (reader.Overrun)
            {
                return DependencyDescriptorStatus.TooShort;
            }

            if (nextLayer == 1)
            {
                temporalId++;
                maxTemporalId = Math.Max(maxTemporalId, temporalId);
            }
            else if (nextLayer == 2)
            {
                temporalId = 0;
                spatialId++;
            }
        }
        while (nextLayer != 3);

        TemplateCount = count;
        MaxSpatialId = spatialId;
        MaxTemporalId = maxTemporalId;

        // template_dtis()
        for (int t = 0; t < count; t++)
        {
            for (int dt = 0; dt < DecodeTargetCount; dt++)
            {
                _dtis[(t * MaxDecodeTargets) + dt] = (DecodeTargetIndication)reader.ReadBits(2);
            }
        }

        // template_fdiffs()
        int total = 0;
        for (int t = 0; t < count; t++)
        {
            _fdiffStart[t] = (short)total;
            int n = 0;
            while (reader.ReadFlag())
            {
                if (total == MaxTotalFrameDiffs)
                {
                    return DependencyDescriptorStatus.Malformed;
                }

                _fdiffs[total++] = (byte)(reader.ReadBits(4) + 1);
                n++;
            }

            if (reader.Overrun)
            {
                return DependencyDescriptorStatus.TooShort;
            }

            _fdiffCount[t] = (byte)n;
        }

        // template_chains()
        ChainCount = (int)reader.ReadNonSymmetric((uint)DecodeTargetCount + 1);
        if (ChainCount > 0)
        {
            for (int dt = 0; dt < DecodeTargetCount; dt++)
            {
                _protectedBy[dt] = (byte)reader.ReadNonSymmetric((uint)ChainCount);
            }

            for (int t = 0; t < count; t++)
            {
                for (int c = 0; c < ChainCount; c++)
                {
                    _chainDiffs[(t * MaxDecodeTargets) + c] = (byte)reader.ReadBits(4);
                }
            }
        }

        // decode_target_layers()
        for (int dt = 0; dt < DecodeTargetCount; dt++)
        {
            int s = 0;
            int tl = 0;
            for (int t = 0; t < count; t++)
            {
                if (_dtis[(t * MaxDecodeTargets) + dt] != DecodeTargetIndication.NotPresent)
                {
                    s = Math.Max(s, _spatialIds[t]);
                    tl = Math.Max(tl, _temporalIds[t]);
                }
            }

            _targetSpatialIds[dt] = (byte)s;
            _targetTemporalIds[dt] = (byte)tl;
        }

        ResolutionsPresent = reader.ReadFlag();
        if (ResolutionsPresent)
        {
            for (int s = 0; s <= MaxSpatialId; s++)
            {
                _widths[s] = (ushort)reader.ReadBits(16);
                _heights[s] = (ushort)reader.ReadBits(16);
            }
        }

        return reader.Overrun ? DependencyDescriptorStatus.TooShort : DependencyDescriptorStatus.Ok;
    }

    private int CheckTemplate(int template)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(template);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(template, TemplateCount);
        return template;
    }

    private int CheckTarget(int decodeTarget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decodeTarget);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(decodeTarget, DecodeTargetCount);
        return decodeTarget;
    }
}
