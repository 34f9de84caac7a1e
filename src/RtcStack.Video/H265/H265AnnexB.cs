namespace RtcStack.Video;

/// <summary>Finds NAL units in an H.265 Annex B byte stream (H.265 Annex B.2): start codes 0x000001, leading zeros ignored.</summary>
internal static class H265AnnexB
{
    /// <summary>
    /// Finds the NAL unit that starts at or after <paramref name="offset"/>: false when no start code follows.
    /// The NAL unit ends before the next start code's zeros (trailing_zero_8bits are dropped).
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> stream, int offset, out int start, out int length)
    {
        start = 0;
        length = 0;
        int code = FindStartCode(stream, offset);
        if (code < 0)
        {
            return false;
        }

        start = code + 3;
        int next = FindStartCode(stream, start);
        int end = next < 0 ? stream.Length : next;
        while (end > start && stream[end - 1] == 0)
        {
            end--;
        }

        length = end - start;
        return true;
    }

    // The index of the next 0x000001 at or after offset, or -1.
    private static int FindStartCode(ReadOnlySpan<byte> stream, int offset)
    {
        if (offset >= stream.Length)
        {
            return -1;
        }

        int i = stream[offset..].IndexOf("\0\0\u0001"u8);
        return i < 0 ? -1 : offset + i;
    }
}
