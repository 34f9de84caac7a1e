using System.Buffers.Binary;

namespace RtcStack.Video;

/// <summary>
/// The start of a VP8 frame (RFC 6386 §9.1, repeated as the "VP8 payload header" in RFC 7741 §4.3): the 3-byte frame
/// tag (<c>|Size0|H| VER |P|</c>, little-endian: P = 0 for a key frame, version, show_frame, first partition size) and,
/// for key frames, the start code 9d 01 2a and the 14-bit width and height with their 2-bit scaling.
/// </summary>
/// <param name="KeyFrame">P = 0: an intra frame that needs no earlier frame.</param>
/// <param name="Version">VER, the 3-bit version (profile) number.</param>
/// <param name="ShowFrame">H: the frame is to be displayed.</param>
/// <param name="FirstPartitionSize">The 19-bit size of the first partition (Size0 + 8·Size1 + 2048·Size2).</param>
/// <param name="Width">Key frames: the 14-bit width in pixels; otherwise 0.</param>
/// <param name="Height">Key frames: the 14-bit height in pixels; otherwise 0.</param>
/// <param name="HorizontalScale">Key frames: the 2-bit horizontal scaling code.</param>
/// <param name="VerticalScale">Key frames: the 2-bit vertical scaling code.</param>
public readonly record struct Vp8FrameHeader(
    bool KeyFrame,
    int Version,
    bool ShowFrame,
    int FirstPartitionSize,
    int Width,
    int Height,
    int HorizontalScale,
    int VerticalScale)
{
    /// <summary>The key frame header length: 3-byte frame tag, 3-byte start code, 2 + 2 bytes of dimensions.</summary>
    public const int KeyFrameHeaderLength = 10;

    /// <summary>The inter frame header length (the frame tag).</summary>
    public const int InterFrameHeaderLength = 3;

    /// <summary>
    /// Reads the frame tag, and for a key frame the start code and dimensions, from the first bytes of a VP8 frame
    /// (RFC 6386 §9.1). Never throws.
    /// </summary>
    /// <returns>False if the data is too short, or a key frame lacks the start code 9d 01 2a.</returns>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Vp8FrameHeader header)
    {
        header = default;
        if (frame.Length < InterFrameHeaderLength)
        {
            return false;
        }

        int tag = frame[0] | (frame[1] << 8) | (frame[2] << 16);
        bool keyFrame = (tag & 1) == 0;
        int version = (tag >> 1) & 0x07;
        bool show = ((tag >> 4) & 1) != 0;
        int firstPartitionSize = tag >> 5;
        if (!keyFrame)
        {
            header = new Vp8FrameHeader(false, version, show, firstPartitionSize, 0, 0, 0, 0);
            return true;
        }

        if (frame.Length < KeyFrameHeaderLength || !HasStartCode(frame))
        {
            return false;
        }

        ushort w = BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]);
        ushort h = BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]);
        header = new Vp8FrameHeader(true, version, show, firstPartitionSize, w & 0x3FFF, h & 0x3FFF, w >> 14, h >> 14);
        return true;
    }

    /// <summary>Whether bytes 3-5 of a key frame hold the start code 9d 01 2a (RFC 6386 §9.1).</summary>
    internal static bool HasStartCode(ReadOnlySpan<byte> frame) =>
        frame.Length >= 6 && frame[3] == 0x9D && frame[4] == 0x01 && frame[5] == 0x2A;
}
