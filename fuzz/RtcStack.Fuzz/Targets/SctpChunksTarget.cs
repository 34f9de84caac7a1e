using RtcStack.Sctp.Packets;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The SCTP packet and chunk readers (RFC 9260 §3, RFC 3758 §3.2, RFC 6525 §4, RFC 8260 §2): the packet walk
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

            if (IDataChunk.TryParse(c, out IDataChunk id) && id.UserData.Length != c.Raw.Length - IDataChunk.HeaderLength)
            {
                throw new InvalidOperationException("I-DATA user data length wrong");
            }

            if (InitChunk.TryParse(c, out InitChunk init))
            {
                _ = init.SupportsForwardTsn;
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
                for (int i = 0; i < fi.EntryCount; i++)
                {
                    fi.GetEntry(i);
                }
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
}
