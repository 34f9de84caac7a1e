using System.Buffers.Binary;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// VP8 frames (RFC 6386 §9.1 frame tag; key frames with the start code and dimensions) of a given size whose content
/// says which frame they are, so a receiver can check that each frame it got is one that was sent, whole and unchanged.
/// Not decodable pictures: the payload format (RFC 7741) and the session only look at the frame tag.
/// </summary>
internal static class TestVp8Frames
{
    /// <summary>Smallest frame: the 10-byte key frame header and the 4-byte frame number.</summary>
    public const int MinSize = 14;

    // Frame tag of a key frame (P bit clear, version 0, show_frame... as the session tests write it), start code
    // 9d 01 2a, 640x480.
    private static readonly byte[] s_keyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];

    public static byte[] Create(int index, bool key, int size)
    {
        var frame = new byte[Math.Max(size, MinSize)];
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = Pattern(index, i);
        }

        if (key)
        {
            s_keyFrameHeader.CopyTo(frame, 0);
        }
        else
        {
            frame[0] = 0x01; // P bit set: an inter frame (RFC 6386 §9.1)
        }

        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(10), index);
        return frame;
    }

    /// <summary>Reads the frame number and checks every byte against what <see cref="Create"/> wrote for it.</summary>
    public static bool TryCheck(ReadOnlySpan<byte> frame, out int index, out bool key)
    {
        index = -1;
        key = false;
        if (frame.Length < MinSize)
        {
            return false;
        }

        index = BinaryPrimitives.ReadInt32BigEndian(frame[10..]);
        key = (frame[0] & 1) == 0;
        if (key ? !frame[..10].SequenceEqual(s_keyFrameHeader) : frame[0] != 0x01)
        {
            return false;
        }

        for (int i = key ? MinSize : 1; i < frame.Length; i++)
        {
            if (i is >= 10 and < MinSize)
            {
                continue;
            }

            if (frame[i] != Pattern(index, i))
            {
                return false;
            }
        }

        return true;
    }

    private static byte Pattern(int index, int i) => (byte)((i * 31) + (index * 7));
}
