using RtcStack.Rtp.Rtcp;
using Xunit;

namespace RtcStack.Rtp.Tests;

internal static class RtcpTestHelpers
{
    public static RtcpPacket Single(ReadOnlySpan<byte> data)
    {
        Assert.True(RtcpPacket.TryParse(data, out RtcpPacket packet));
        return packet;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
