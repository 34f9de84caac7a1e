using RtcStack.Dtls;

namespace RtcStack.Fuzz.Targets;

/// <summary>Splits a fuzz input into length-prefixed datagrams and drives an endpoint with them.</summary>
internal static class DtlsFuzzInput
{
    public static void Feed(DtlsEndpoint endpoint, ReadOnlySpan<byte> data)
    {
        TimeSpan now = TimeSpan.Zero;
        while (!data.IsEmpty)
        {
            ReadOnlySpan<byte> datagram;
            if (data.Length >= 2 && ((data[0] << 8) | data[1]) <= data.Length - 2)
            {
                int len = (data[0] << 8) | data[1];
                datagram = data.Slice(2, len);
                data = data[(2 + len)..];
            }
            else
            {
                datagram = data;
                data = default;
            }

            endpoint.HandleDatagram(datagram, now);
            now += TimeSpan.FromMilliseconds(700);
            endpoint.HandleTimeout(now);
            while (endpoint.TryPollTransmit(out _) || endpoint.TryPollEvent(out _))
            {
            }
        }
    }
}
