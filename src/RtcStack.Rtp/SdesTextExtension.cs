using System.Text;

namespace RtcStack.Rtp;

/// <summary>
/// Header extensions that carry an SDES item's text (RFC 7941): <c>urn:ietf:params:rtp-hdrext:sdes:mid</c>
/// (RFC 9143 §15), <c>urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id</c> and
/// <c>urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id</c> (RFC 8852 §3).
/// </summary>
public static class SdesTextExtension
{
    /// <summary>
    /// Returns the text bytes. The value is not NUL-terminated on the wire; a NUL byte, if a sender
    /// pads with one, ends the text. An empty value (or one starting with NUL) is invalid.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> utf8Text)
    {
        int end = value.IndexOf((byte)0);
        utf8Text = end < 0 ? value : value[..end];
        return !utf8Text.IsEmpty;
    }

    /// <summary>Compares the element with an expected text (for example a MID) without allocating.</summary>
    public static bool TextEquals(ReadOnlySpan<byte> value, ReadOnlySpan<char> expected)
    {
        if (!TryRead(value, out ReadOnlySpan<byte> text))
        {
            return false;
        }

        // MIDs and RIDs are ASCII in practice: compare directly, transcode only otherwise.
        if (text.Length == expected.Length)
        {
            int i = 0;
            while (i < text.Length && text[i] < 0x80 && text[i] == expected[i])
            {
                i++;
            }

            if (i == text.Length)
            {
                return true;
            }

            if (text[i] < 0x80 && expected[i] < 0x80)
            {
                return false;
            }
        }

        if (text.Length != Encoding.UTF8.GetByteCount(expected) || text.Length > 255)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[255];
        int written = Encoding.UTF8.GetBytes(expected, buffer);
        return text.SequenceEqual(buffer[..written]);
    }

    /// <summary>Decodes the text as a string (allocates; for signalling paths, not per packet).</summary>
    public static bool TryReadString(ReadOnlySpan<byte> value, out string text)
    {
        if (!TryRead(value, out ReadOnlySpan<byte> bytes))
        {
            text = string.Empty;
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        return true;
    }
}
