using RtcStack.Opus.Ogg;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The Ogg page reader (RFC 3533 §6) on arbitrary bytes, then the streaming Ogg Opus reader
/// (RFC 7845) over the same bytes as a file, with OpusHead/OpusTags parsing, packet reassembly and
/// granule timing. The stream reader must terminate: packet count is bounded by the input size.
/// </summary>
[FuzzTarget("ogg-page")]
public sealed class OggPageTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        int offset = 0;
        while (offset < data.Length)
        {
            int capture = OggPage.FindCapturePattern(data, offset);
            if (capture < 0)
            {
                break;
            }

            if (OggPage.Read(data[capture..], out OggPage page, out int length) == OggPageStatus.Valid)
            {
                foreach (OggPacketPiece piece in page.GetSegments())
                {
                    OpusHead.TryParse(piece.Data, out _);
                    OpusTags.TryParse(piece.Data, out _);
                }

                offset = capture + length;
            }
            else
            {
                offset = capture + 1;
            }
        }

        using var reader = new OggOpusReader(new MemoryStream(data.ToArray()), leaveOpen: false) { MaxPacketLength = 1 << 20 };
        int packets = 0;
        while (reader.Read(out OggOpusPacket packet) == OggOpusReadResult.Packet)
        {
            // Each packet needs at least one lacing value of its page.
            if (++packets > data.Length || packet.TrimSamples > packet.SampleCount)
            {
                throw new InvalidOperationException("reader produced impossible packets");
            }
        }
    }
}
