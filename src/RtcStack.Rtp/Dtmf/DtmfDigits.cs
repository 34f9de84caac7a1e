namespace RtcStack.Rtp.Dtmf;

/// <summary>The DTMF event codes of RFC 4733 §3.2 (Table 7) and the characters WebRTC's RTCDTMFSender uses for them.</summary>
public static class DtmfDigits
{
    /// <summary>The flash event code (hook flash), 16.</summary>
    public const byte Flash = 16;

    /// <summary>Maps '0'–'9', '*', '#', 'A'–'D' (either case) to event codes 0–15; false for anything else.</summary>
    public static bool TryGetEvent(char digit, out byte eventCode)
    {
        int code = digit switch
        {
            >= '0' and <= '9' => digit - '0',
            '*' => 10,
            '#' => 11,
            >= 'A' and <= 'D' => 12 + (digit - 'A'),
            >= 'a' and <= 'd' => 12 + (digit - 'a'),
            _ => -1,
        };
        eventCode = (byte)Math.Max(code, 0);
        return code >= 0;
    }

    /// <summary>Maps event codes 0–15 back to '0'–'9', '*', '#', 'A'–'D'; null for other events.</summary>
    public static char? ToDigit(byte eventCode) => eventCode switch
    {
        <= 9 => (char)('0' + eventCode),
        10 => '*',
        11 => '#',
        <= 15 => (char)('A' + (eventCode - 12)),
        _ => null,
    };
}
