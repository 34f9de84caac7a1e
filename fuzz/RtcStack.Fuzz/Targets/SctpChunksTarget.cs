using RtcStack.Sctp.Packets;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The SCTP packet and chunk readers (RFC 9260 §3, RFC 3758 §3.2, RFC 6525 §4, RFC 8260 §2, RFC 9653 §4): the packet walk
/// (checksum not checked, so the fuzzer reaches the chunks), every typed chunk reader and the TLV parameter walk.
/// Every chunk and parameter must lie inside the packet, and counts must fit the bytes.
/// </summary>
[FuzzTarget("sctp-chunks")]
public sealed class SctpChunksTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        SctpPacket.TryParse(data, out _);
        if (SctpPacket.TryParse(data, out SctpPacket packet, verifyChecksum: false) != SctpParseStatus.Ok)
        {
            return;
        }

        int chunks = 0;
        foreach (SctpChunk c in packet.Chunks)
        {
            chunks++;
            if (c.Raw.Length < SctpChunk.HeaderLength || c.Raw.Length > data.Length - SctpPacket.CommonHeaderLength)
            {
                throw new InvalidOperationException("chunk out of bounds");
            }

            if (DataChunk.TryParse(c, out DataChunk d) && d.UserData.Length != c.Raw.Length - DataChunk.HeaderLength)
            {
                throw new InvalidOperationException("DATA user data length wrong");
            }

            if (IDataChunk.TryParse(c, out IDataChunk id))
            {
                if (id.UserData.Length != c.Raw.Length - IDataChunk.HeaderLength)
                {
                    throw new InvalidOperationException("I-DATA user data length wrong");
                }

                // RFC 8260 §2.1: the one field is the PPID on the first fragment and the FSN on the others, never both.
                if ((id.Beginning ? id.FragmentSequence : id.PayloadProtocol) != 0)
                {
                    throw new InvalidOperationException("I-DATA PPID/FSN split wrong");
                }
            }

            if (InitChunk.TryParse(c, out InitChunk init))
            {
                _ = init.SupportsForwardTsn;

                // RFC 9653 §4: a method comes only from a Zero Checksum Acceptable parameter of length 8 holding it.
                uint method = init.ZeroChecksumMethod;
                if (method != SctpErrorDetectionMethod.Reserved
                    && (!SctpParameterEnumerator.TryFind(init.Parameters, (ushort)SctpParameterType.ZeroChecksumAcceptable, out ReadOnlySpan<byte> zc)
                        || zc.Length != 4 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(zc) != method))
                {
                    throw new InvalidOperationException("zero checksum method read from elsewhere than its parameter");
                }
                if (init.TryGetStateCookie(out ReadOnlySpan<byte> cookie) && cookie.Length > c.Raw.Length)
                {
                    throw new InvalidOperationException("cookie out of bounds");
                }
            }

            if (SackChunk.TryParse(c, out SackChunk sack))
            {
                if (sack.GapBlockCount + sack.DuplicateCount > c.Raw.Length / 4)
                {
                    throw new InvalidOperationException("SACK counts exceed the chunk");
                }

                for (int i = 0; i < sack.GapBlockCount; i++)
                {
                    sack.GetGapBlock(i);
                }

                for (int i = 0; i < sack.DuplicateCount; i++)
                {
                    sack.GetDuplicate(i);
                }
            }

            if (ForwardTsnChunk.TryParse(c, out ForwardTsnChunk f))
            {
                for (int i = 0; i < f.StreamCount; i++)
                {
                    f.GetStream(i);
                }
            }

            if (IForwardTsnChunk.TryParse(c, out IForwardTsnChunk fi))
            {
                if (4 + (8 * fi.EntryCount) != c.Value.Length)
                {
                    throw new InvalidOperationException("I-FORWARD-TSN entries do not cover the chunk");
                }

                for (int i = 0; i < fi.EntryCount; i++)
                {
                    fi.GetEntry(i);
                }

                CheckRoundTrip(fi);
            }

            foreach (SctpParameter p in new SctpParameterEnumerator(c.Value))
            {
                if (p.Raw.Length > c.Value.Length)
                {
                    throw new InvalidOperationException("parameter out of bounds");
                }

                if (OutgoingResetRequest.TryParse(p, out OutgoingResetRequest r))
                {
                    for (int i = 0; i < r.StreamCount; i++)
                    {
                        r.GetStream(i);
                    }
                }

                ReconfigResponse.TryParse(p, out _);
            }
        }

        if (chunks > data.Length / 4)
        {
            throw new InvalidOperationException("more chunks than bytes allow");
        }
    }

    /// <summary>Writes the entries back with <see cref="SctpPacketWriter.TryWriteIForwardTsn"/> and reads them again.</summary>
    private static void CheckRoundTrip(IForwardTsnChunk fi)
    {
        // Round trip through the writer: same cumulative TSN and entries (reserved bits aside).
        Span<byte> copy = stackalloc byte[SctpPacket.CommonHeaderLength + 8 + (8 * Math.Min(fi.EntryCount, 64))];
        var w = new SctpPacketWriter(copy, 1, 2, 3);
        int n = Math.Min(fi.EntryCount, 64);
        Span<(ushort, bool, uint)> entries = stackalloc (ushort, bool, uint)[n];
        for (int i = 0; i < n; i++)
        {
            entries[i] = fi.GetEntry(i);
        }

        if (!w.TryWriteIForwardTsn(fi.NewCumulativeTsn, entries)
            || SctpPacket.TryParse(copy[..w.Finish()], out SctpPacket again) != SctpParseStatus.Ok)
        {
            throw new InvalidOperationException("I-FORWARD-TSN does not round-trip");
        }

        foreach (SctpChunk rc in again.Chunks)
        {
            if (!IForwardTsnChunk.TryParse(rc, out IForwardTsnChunk back) || back.NewCumulativeTsn != fi.NewCumulativeTsn || back.EntryCount != n)
            {
                throw new InvalidOperationException("I-FORWARD-TSN does not round-trip");
            }

            for (int i = 0; i < n; i++)
            {
                if (back.GetEntry(i) != entries[i])
                {
                    throw new InvalidOperationException("I-FORWARD-TSN entry does not round-trip");
                }
            }
        }
    }
}
