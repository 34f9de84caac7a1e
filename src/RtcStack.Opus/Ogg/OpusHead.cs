using System.Buffers.Binary;

namespace RtcStack.Opus.Ogg;

/// <summary>The Ogg Opus identification header, "OpusHead" (RFC 7845 §5.1).</summary>
public sealed class OpusHead
{
    /// <summary>The length of a channel mapping family 0 header.</summary>
    public const int Family0Length = 19;

    /// <summary>Gets or sets the version; RFC 7845 §5.1: MUST be 1 when writing; readers accept 0–15.</summary>
    public byte Version { get; set; } = 1;

    /// <summary>Gets or sets the output channel count (1–255, never 0).</summary>
    public byte ChannelCount { get; set; } = 2;

    /// <summary>Gets or sets the samples (48 kHz) to discard from the decoder output at the start (RFC 7845 §4.2).</summary>
    public ushort PreSkip { get; set; } = 312;

    /// <summary>Gets or sets the original input sample rate, informational; 0 means unspecified.</summary>
    public uint InputSampleRate { get; set; } = 48000;

    /// <summary>Gets or sets the output gain in Q7.8 dB, applied by players.</summary>
    public short OutputGain { get; set; }

    /// <summary>Gets or sets the channel mapping family (0: mono/stereo, one stream).</summary>
    public byte ChannelMappingFamily { get; set; }

    /// <summary>Gets or sets the stream count N (family 0: 1).</summary>
    public byte StreamCount { get; set; } = 1;

    /// <summary>Gets or sets the coupled (stereo) stream count M (family 0: 1 if stereo).</summary>
    public byte CoupledStreamCount { get; set; } = 1;

    /// <summary>Gets or sets the channel mapping table (families other than 0).</summary>
    public byte[] ChannelMapping { get; set; } = [];

    /// <summary>Gets the serialized length.</summary>
    public int Length => ChannelMappingFamily == 0 ? Family0Length : Family0Length + 2 + ChannelMapping.Length;

    /// <summary>
    /// Parses an identification header packet (RFC 7845 §5.1). Rejects a wrong magic, a major
    /// version above 0 (version 16 or more), zero channels, a truncated header, and for mapping
    /// families other than 0 a zero stream count, more coupled streams than streams, or mapping
    /// entries naming streams that do not exist. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out OpusHead? head)
    {
        head = null;
        if (packet.Length < Family0Length || !packet.StartsWith("OpusHead"u8))
        {
            return false;
        }

        byte version = packet[8];
        byte channels = packet[9];
        if (version > 15 || channels == 0)
        {
            return false;
        }

        var result = new OpusHead
        {
            Version = version,
            ChannelCount = channels,
            PreSkip = BinaryPrimitives.ReadUInt16LittleEndian(packet[10..]),
            InputSampleRate = BinaryPrimitives.ReadUInt32LittleEndian(packet[12..]),
            OutputGain = BinaryPrimitives.ReadInt16LittleEndian(packet[16..]),
            ChannelMappingFamily = packet[18],
        };

        if (result.ChannelMappingFamily == 0)
        {
            // RFC 7845 §5.1.1.1: family 0 is mono or stereo with one stream.
            if (channels > 2)
            {
                return false;
            }

            result.StreamCount = 1;
            result.CoupledStreamCount = (byte)(channels == 2 ? 1 : 0);
        }
        else
        {
            if (packet.Length < Family0Length + 2 + channels)
            {
                return false;
            }

            byte streams = packet[19];
            byte coupled = packet[20];
            if (streams == 0 || coupled > streams || streams + coupled > 255)
            {
                return false;
            }

            byte[] mapping = packet.Slice(21, channels).ToArray();
            foreach (byte index in mapping)
            {
                if (index != 255 && index >= streams + coupled)
                {
                    return false;
                }
            }

            result.StreamCount = streams;
            result.CoupledStreamCount = coupled;
            result.ChannelMapping = mapping;
        }

        head = result;
        return true;
    }

    /// <summary>Writes the header packet; returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        if (ChannelCount == 0)
        {
            throw new InvalidOperationException("RFC 7845 §5.1: the channel count MUST NOT be zero.");
        }

        if (ChannelMappingFamily == 0 && ChannelCount > 2)
        {
            throw new InvalidOperationException("RFC 7845 §5.1.1.1: channel mapping family 0 allows 1 or 2 channels.");
        }

        if (ChannelMappingFamily != 0 && ChannelMapping.Length != ChannelCount)
        {
            throw new InvalidOperationException("The channel mapping table needs one entry per output channel.");
        }

        "OpusHead"u8.CopyTo(destination);
        destination[8] = Version;
        destination[9] = ChannelCount;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], PreSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], InputSampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(destination[16..], OutputGain);
        destination[18] = ChannelMappingFamily;
        if (ChannelMappingFamily == 0)
        {
            return Family0Length;
        }

        destination[19] = StreamCount;
        destination[20] = CoupledStreamCount;
        ChannelMapping.CopyTo(destination[21..]);
        return Length;
    }
}
