using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Video.Tests.Av1;

/// <summary>
/// The Dependency Descriptor (AV1 RTP Appendix A.8). Descriptors are written bit by bit here from the A.8.2 syntax,
/// for the L1T3 structure of A.10.2.1, so the reader is checked against the specification's own example.
/// </summary>
public class DependencyDescriptorReaderTests
{
    /// <summary>Writes f(n) fields high bit first, and ns(n) as A.8.2's write_ns.</summary>
    private sealed class Bits
    {
        private readonly List<bool> _bits = [];

        public Bits F(int n, int value)
        {
            for (int i = n - 1; i >= 0; i--)
            {
                _bits.Add(((value >> i) & 1) != 0);
            }

            return this;
        }

        public Bits Ns(int n, int value)
        {
            if (n == 1)
            {
                return this;
            }

            int w = 0;
            for (int x = n; x != 0; x >>= 1)
            {
                w++;
            }

            int m = (1 << w) - n;
            return value < m ? F(w - 1, value) : F(w, value + m);
        }

        public byte[] ToBytes()
        {
            var bytes = new byte[(_bits.Count + 7) / 8];
            for (int i = 0; i < _bits.Count; i++)
            {
                if (_bits[i])
                {
                    bytes[i / 8] |= (byte)(0x80 >> (i % 8));
                }
            }

            return bytes;
        }
    }

    private static Bits Mandatory(bool start, bool end, int templateId, int frameNumber) =>
        new Bits().F(1, start ? 1 : 0).F(1, end ? 1 : 0).F(6, templateId).F(16, frameNumber);

    // A.10.2.1 L1T3, template ids 1-5 (template_id_offset 1), decode targets 30, 15 and 7.5 fps, one chain.
    private static Bits L1T3Structure(Bits b)
    {
        b.F(6, 1).F(5, 2); // template_id_offset, dt_cnt_minus_one
        b.F(2, 0).F(2, 1).F(2, 1).F(2, 0).F(2, 3); // next_layer_idc: T0, T0, T1, T2, T2
        int[][] dtis = [[2, 2, 2], [2, 2, 2], [2, 1, 0], [1, 0, 0], [1, 0, 0]]; // S S S / S S S / S D - / D - - / D - -
        foreach (int[] row in dtis)
        {
            foreach (int dti in row)
            {
                b.F(2, dti);
            }
        }

        int[][] fdiffs = [[], [4], [2], [1], [1]];
        foreach (int[] row in fdiffs)
        {
            foreach (int fdiff in row)
            {
                b.F(1, 1).F(4, fdiff - 1);
            }

            b.F(1, 0);
        }

        b.Ns(4, 1); // chain_cnt = 1 out of DtCnt + 1
        for (int dt = 0; dt < 3; dt++)
        {
            b.Ns(1, 0); // decode_target_protected_by: chain 0 (no bits)
        }

        foreach (int chain in new[] { 0, 4, 2, 1, 3 })
        {
            b.F(4, chain);
        }

        b.F(1, 1).F(16, 639).F(16, 359); // resolutions_present_flag, 640x360
        return b;
    }

    private static byte[] FirstPacket(int templateId = 1) =>
        L1T3Structure(Mandatory(true, false, templateId, 0x1234).F(1, 1).F(1, 0).F(1, 0).F(1, 0).F(1, 0)).ToBytes();

    [Fact]
    public void ReadsTheL1T3StructureOfAppendixA1021()
    {
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        Assert.Equal(DependencyDescriptorStatus.Ok, reader.Read(FirstPacket(), descriptor));

        Assert.True(descriptor.StartOfFrame);
        Assert.False(descriptor.EndOfFrame);
        Assert.Equal(1, descriptor.TemplateId);
        Assert.Equal(0x1234, descriptor.FrameNumber);
        Assert.True(descriptor.HasStructure);
        Assert.Equal(0b111u, descriptor.ActiveDecodeTargets); // structure without a bitmask: all active (A.4)
        Assert.Equal(0, descriptor.SpatialId);
        Assert.Equal(0, descriptor.TemporalId);
        Assert.Equal(new[] { DecodeTargetIndication.Switch, DecodeTargetIndication.Switch, DecodeTargetIndication.Switch }, descriptor.DecodeTargetIndications.ToArray());
        Assert.True(descriptor.FrameDiffs.IsEmpty);
        Assert.Equal(new byte[] { 0 }, descriptor.ChainDiffs.ToArray());
        Assert.Equal(640, descriptor.MaxRenderWidth);
        Assert.Equal(360, descriptor.MaxRenderHeight);

        FrameDependencyStructure s = Assert.IsType<FrameDependencyStructure>(reader.Structure);
        Assert.Equal(1, s.TemplateIdOffset);
        Assert.Equal(5, s.TemplateCount);
        Assert.Equal(3, s.DecodeTargetCount);
        Assert.Equal(1, s.ChainCount);
        Assert.Equal(0, s.MaxSpatialId);
        Assert.Equal(2, s.MaxTemporalId);
        Assert.Equal(new[] { 0, 0, 1, 2, 2 }, Enumerable.Range(0, 5).Select(s.GetTemporalId).ToArray());
        Assert.Equal(new byte[] { 4 }, s.GetFrameDiffs(1).ToArray());
        Assert.Equal(new byte[] { 3 }, s.GetChainDiffs(4).ToArray());
        Assert.Equal(new[] { 2, 1, 0 }, Enumerable.Range(0, 3).Select(s.GetDecodeTargetTemporalId).ToArray());
        Assert.Equal(0, s.GetProtectingChain(2));
    }

    [Fact]
    public void ReadsMandatoryOnlyDescriptorsWithTheKeptStructure()
    {
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        Assert.Equal(DependencyDescriptorStatus.Ok, reader.Read(FirstPacket(), descriptor));

        // Three bytes: the frame follows template id 4 (index 3): T2, "D - -", fdiff 1, chain fdiff 1.
        byte[] mandatory = Mandatory(true, true, 4, 0x1237).ToBytes();
        Assert.Equal(3, mandatory.Length);
        Assert.Equal(DependencyDescriptorStatus.Ok, reader.Read(mandatory, descriptor));
        Assert.True(descriptor.EndOfFrame);
        Assert.False(descriptor.HasStructure);
        Assert.Equal(2, descriptor.TemporalId);
        Assert.Equal(new[] { DecodeTargetIndication.Discardable, DecodeTargetIndication.NotPresent, DecodeTargetIndication.NotPresent }, descriptor.DecodeTargetIndications.ToArray());
        Assert.Equal(new ushort[] { 1 }, descriptor.FrameDiffs.ToArray());
        Assert.Equal(new byte[] { 1 }, descriptor.ChainDiffs.ToArray());
        Assert.Equal(0x1237, descriptor.FrameNumber);
    }

    [Fact]
    public void ReadsCustomFieldsAndActiveDecodeTargets()
    {
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        reader.Read(FirstPacket(), descriptor);

        // active_decode_targets_present_flag, custom dtis, fdiffs (4-, 8- and 12-bit sizes) and chains.
        Bits b = Mandatory(false, true, 3, 0x0001).F(1, 0).F(1, 1).F(1, 1).F(1, 1).F(1, 1);
        b.F(3, 0b011); // active_decode_targets_bitmask: targets 0 and 1
        b.F(2, 3).F(2, 1).F(2, 0); // frame_dtis R D -
        b.F(2, 1).F(4, 1).F(2, 2).F(8, 199).F(2, 3).F(12, 4095).F(2, 0); // fdiffs 2, 200, 4096
        b.F(8, 250); // frame_chain_fdiff
        Assert.Equal(DependencyDescriptorStatus.Ok, reader.Read(b.ToBytes(), descriptor));
        Assert.True(descriptor.HasActiveDecodeTargets);
        Assert.Equal(0b011u, descriptor.ActiveDecodeTargets);
        Assert.Equal(0b011u, reader.ActiveDecodeTargets);
        Assert.Equal(1, descriptor.TemporalId); // template id 3 = index 2 (T1)
        Assert.Equal(new[] { DecodeTargetIndication.Required, DecodeTargetIndication.Discardable, DecodeTargetIndication.NotPresent }, descriptor.DecodeTargetIndications.ToArray());
        Assert.Equal(new ushort[] { 2, 200, 4096 }, descriptor.FrameDiffs.ToArray());
        Assert.Equal(new byte[] { 250 }, descriptor.ChainDiffs.ToArray());

        // The bitmask stays in force for the following packets (A.4).
        Assert.Equal(DependencyDescriptorStatus.Ok, reader.Read(Mandatory(true, true, 1, 2).ToBytes(), descriptor));
        Assert.Equal(0b011u, descriptor.ActiveDecodeTargets);
    }

    [Fact]
    public void WithoutAStructureOnlyTheMandatoryFieldsAreKnown()
    {
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        Assert.Equal(DependencyDescriptorStatus.NoStructure, reader.Read(Mandatory(true, true, 1, 7).ToBytes(), descriptor));
        Assert.Equal(7, descriptor.FrameNumber);
        Assert.True(descriptor.StartOfFrame);
        Assert.Equal(-1, descriptor.SpatialId);
        Assert.Null(reader.Structure);
    }

    [Fact]
    public void ATemplateIdOutsideTheStructureIsUnknown()
    {
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        reader.Read(FirstPacket(), descriptor);

        // Valid ids are 1-5 (A.8.3): 0 and 6 belong to a structure this reader has not seen.
        Assert.Equal(DependencyDescriptorStatus.UnknownTemplate, reader.Read(Mandatory(true, true, 0, 9).ToBytes(), descriptor));
        Assert.Equal(DependencyDescriptorStatus.UnknownTemplate, reader.Read(Mandatory(true, true, 6, 9).ToBytes(), descriptor));
        Assert.Equal(9, descriptor.FrameNumber);
        Assert.Equal(DependencyDescriptorStatus.Ok, reader.Read(Mandatory(true, true, 5, 9).ToBytes(), descriptor));
    }

    [Fact]
    public void AStructureWhosePacketUsesATemplateOutsideItIsMalformedAndNotKept()
    {
        // A.8.3: frame_dependency_template_id MUST lie in the range of the structure; the packet that carries the
        // structure cannot blame a lost one.
        var reader = new DependencyDescriptorReader();
        Assert.Equal(DependencyDescriptorStatus.Malformed, reader.Read(FirstPacket(templateId: 9), new DependencyDescriptor()));
        Assert.Null(reader.Structure);
    }

    [Fact]
    public void EveryTruncationIsRefusedAndKeepsTheOldStructure()
    {
        byte[] full = FirstPacket();
        for (int length = 0; length < full.Length; length++)
        {
            var reader = new DependencyDescriptorReader();
            DependencyDescriptorStatus status = reader.Read(full.AsSpan(0, length), new DependencyDescriptor());
            Assert.NotEqual(DependencyDescriptorStatus.Ok, status);
            Assert.Null(reader.Structure);
        }
    }

    [Fact]
    public void GarbageNeverThrowsAndNeverLeavesAStructureHalfRead()
    {
        var rng = new Random(13);
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        reader.Read(FirstPacket(), descriptor);
        var counts = new Dictionary<DependencyDescriptorStatus, int>();
        for (int i = 0; i < 20000; i++)
        {
            var data = new byte[rng.Next(0, 64)];
            rng.NextBytes(data);
            DependencyDescriptorStatus status = reader.Read(data, descriptor);
            counts[status] = counts.GetValueOrDefault(status) + 1;
            FrameDependencyStructure? s = reader.Structure;
            Assert.NotNull(s);
            Assert.InRange(s.TemplateCount, 1, FrameDependencyStructure.MaxTemplates);
            if (status == DependencyDescriptorStatus.Ok)
            {
                Assert.Equal(s.DecodeTargetCount, descriptor.DecodeTargetIndications.Length);
                Assert.Equal(s.ChainCount, descriptor.ChainDiffs.Length);
            }
        }

        Assert.True(counts.GetValueOrDefault(DependencyDescriptorStatus.Ok) > 0);
        Assert.True(counts.GetValueOrDefault(DependencyDescriptorStatus.TooShort) > 0);
    }

    [Fact]
    public void ReadingAllocatesNothing()
    {
        var reader = new DependencyDescriptorReader();
        var descriptor = new DependencyDescriptor();
        byte[] first = FirstPacket();
        byte[] next = Mandatory(true, true, 4, 2).ToBytes();
        reader.Read(first, descriptor);
        int ok = 0;
        Assert.Equal(0, AllocationProbe.LeastPerChunk(0, 1000, 4, _ =>
        {
            ok += reader.Read(first, descriptor) == DependencyDescriptorStatus.Ok ? 1 : 0;
            ok += reader.Read(next, descriptor) == DependencyDescriptorStatus.Ok ? 1 : 0;
        }));
        Assert.Equal(2000, ok);
    }
}
