namespace RtcStack.Video;

/// <summary>
/// Reads the Dependency Descriptor RTP header extension (AV1 RTP Appendix A.8) of one RTP stream, packet after
/// packet. The extended fields refer to the template dependency structure that the first packet of a coded video
/// sequence carries (A.8.3), so the reader keeps the last structure it read (and the active decode targets, A.4)
/// and uses them for the packets that follow. Never throws on untrusted bytes; allocates nothing.
/// </summary>
public sealed class DependencyDescriptorReader
{
    private FrameDependencyStructure _structure = new();
    private FrameDependencyStructure _incoming = new();
    private bool _hasStructure;
    private uint _activeDecodeTargets;

    /// <summary>
    /// Gets the last template dependency structure read, or null before the first. The instance is reused: read what
    /// you need from it before the next descriptor that carries a new structure.
    /// </summary>
    public FrameDependencyStructure? Structure => _hasStructure ? _structure : null;

    /// <summary>Gets the active decode targets in force (A.4), bit i for decode target i.</summary>
    public uint ActiveDecodeTargets => _activeDecodeTargets;

    /// <summary>Forgets the structure and the active decode targets (a new stream).</summary>
    public void Reset()
    {
        _hasStructure = false;
        _activeDecodeTargets = 0;
    }

    /// <summary>
    /// Reads one descriptor (the header extension's element data) into <paramref name="descriptor"/>. A structure
    /// carried by the packet replaces the kept one only when the whole descriptor reads correctly.
    /// </summary>
    /// <returns>
    /// <see cref="DependencyDescriptorStatus.Ok"/>; <see cref="DependencyDescriptorStatus.NoStructure"/> or
    /// <see cref="DependencyDescriptorStatus.UnknownTemplate"/> when only the mandatory fields could be read;
    /// <see cref="DependencyDescriptorStatus.TooShort"/> or <see cref="DependencyDescriptorStatus.Malformed"/> otherwise.
    /// </returns>
    public DependencyDescriptorStatus Read(ReadOnlySpan<byte> data, DependencyDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        descriptor.SetMandatory(false, false, 0, 0);
        if (data.Length < 3)
        {
            return DependencyDescriptorStatus.TooShort;
        }

        var reader = new DependencyDescriptorBitReader(data);
        bool start = reader.ReadFlag();
        bool end = reader.ReadFlag();
        int templateId = (int)reader.ReadBits(6);
        int frameNumber = (int)reader.ReadBits(16);
        descriptor.SetMandatory(start, end, templateId, frameNumber);
        descriptor.SetActiveDecodeTargets(_activeDecodeTargets);

        bool structurePresent = false;
        bool activePresent = false;
        bool customDtis = false;
        bool customFdiffs = false;
        bool customChains = false;
        FrameDependencyStructure? structure = _hasStructure ? _structure : null;
        uint active = _activeDecodeTargets;
        if (data.Length > 3)
        {
            structurePresent = reader.ReadFlag();
            activePresent = reader.ReadFlag();
            customDtis = reader.ReadFlag();
            customFdiffs = reader.ReadFlag();
            customChains = reader.ReadFlag();
            descriptor.SetExtended(structurePresent, activePresent, customDtis, customFdiffs, customChains);
            if (structurePresent)
            {
                DependencyDescriptorStatus status = _incoming.Read(ref reader);
                if (status != DependencyDescriptorStatus.Ok)
                {
                    return status;
                }

                structure = _incoming;
                active = structure.DecodeTargetCount == 32 ? uint.MaxValue : (1u << structure.DecodeTargetCount) - 1;
            }

            if (activePresent)
            {
                if (structure is null)
                {
                    return DependencyDescriptorStatus.NoStructure;
                }

                active = reader.ReadBits(structure.DecodeTargetCount);
            }
        }

        if (structure is null)
        {
            return reader.Overrun ? DependencyDescriptorStatus.TooShort : DependencyDescriptorStatus.NoStructure;
        }

        // frame_dependency_definition()
        int templateIndex = (templateId + 64 - structure.TemplateIdOffset) % 64;
        if (templateIndex >= structure.TemplateCount)
        {
            // A.8.3: the id MUST lie in the structure's range; a packet carrying its own structure has no excuse.
            return reader.Overrun ? DependencyDescriptorStatus.TooShort
                : structurePresent ? DependencyDescriptorStatus.Malformed : DependencyDescriptorStatus.UnknownTemplate;
        }

        int spatialId = structure.GetSpatialId(templateIndex);
        Span<DecodeTargetIndication> dtis = descriptor.DtiStorage(structure.DecodeTargetCount);
        if (customDtis)
        {
            for (int i = 0; i < dtis.Length; i++)
            {
                dtis[i] = (DecodeTargetIndication)reader.ReadBits(2);
            }
        }
        else
        {
            structure.GetDecodeTargetIndications(templateIndex).CopyTo(dtis);
        }

        if (customFdiffs)
        {
            uint size = reader.ReadBits(2);
            while (size != 0 && !reader.Overrun)
            {
                if (!descriptor.TryAddFrameDiff((int)reader.ReadBits(4 * (int)size) + 1))
                {
                    descriptor.ClearFrame();
                    return DependencyDescriptorStatus.Malformed;
                }

                size = reader.ReadBits(2);
            }
        }
        else
        {
            foreach (byte diff in structure.GetFrameDiffs(templateIndex))
            {
                descriptor.TryAddFrameDiff(diff);
            }
        }

        Span<byte> chains = descriptor.ChainStorage(structure.ChainCount);
        if (customChains)
        {
            for (int i = 0; i < chains.Length; i++)
            {
                chains[i] = (byte)reader.ReadBits(8);
            }
        }
        else
        {
            structure.GetChainDiffs(templateIndex).CopyTo(chains);
        }

        if (reader.Overrun)
        {
            descriptor.ClearFrame();
            return DependencyDescriptorStatus.TooShort;
        }

        descriptor.SetLayer(spatialId, structure.GetTemporalId(templateIndex), structure.GetMaxRenderWidth(spatialId), structure.GetMaxRenderHeight(spatialId));
        if (structurePresent)
        {
            (_structure, _incoming) = (_incoming, _structure);
            _hasStructure = true;
        }

        _activeDecodeTargets = active;
        descriptor.SetActiveDecodeTargets(active);
        return DependencyDescriptorStatus.Ok;
    }
}
