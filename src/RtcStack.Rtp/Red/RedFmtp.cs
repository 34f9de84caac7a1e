using System.Globalization;

namespace RtcStack.Rtp.Red;

/// <summary>
/// The fmtp of a <c>red</c> payload type (RFC 2198 §5, and RFC 2198's registration as used by
/// WebRTC): the payload types of the primary and redundant encodings separated by '/', e.g.
/// Chromium's <c>a=fmtp:63 111/111</c> for Opus redundancy. Parsing never throws.
/// </summary>
public static class RedFmtp
{
    /// <summary>Parses <paramref name="value"/> (the part after the RED payload type); false for anything but 1–32 payload types of 0–127 separated by '/'.</summary>
    public static bool TryParse(string? value, out byte[] payloadTypes)
    {
        payloadTypes = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        string[] parts = value.Trim().Split('/');
        if (parts.Length > RedPayload.MaxBlocks + 1)
        {
            return false;
        }

        var result = new byte[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out byte pt) || pt > 127)
            {
                return false;
            }

            result[i] = pt;
        }

        payloadTypes = result;
        return true;
    }

    /// <summary>Writes the fmtp value for a primary payload type repeated <paramref name="blocks"/> times (Chromium offers <c>111/111</c>).</summary>
    public static string Format(byte payloadType, int blocks = 2)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        return string.Join('/', Enumerable.Repeat(payloadType.ToString(CultureInfo.InvariantCulture), blocks));
    }
}
