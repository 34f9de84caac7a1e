using RtcStack.Rtp.Capture;

namespace RtcStack.Rtp.Tests.Capture;

/// <summary>Shared helpers for capture tests.</summary>
internal static class CaptureTestData
{
    public static List<(CaptureRecord Record, byte[] Data)> ReadAll(byte[] file, out CaptureReadStatus status, out CaptureReader reader, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(file) : new RtcStack.Fuzz.ChunkedStream(file, 7);
        reader = new CaptureReader(stream);
        var records = new List<(CaptureRecord, byte[])>();
        while ((status = reader.ReadNext(out CaptureRecord record)) == CaptureReadStatus.Record)
        {
            records.Add((record, record.Data.ToArray()));
        }

        return records;
    }

    public static byte[] Frame(int seed, int length)
    {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)((seed * 31) + (i * 7));
        }

        return b;
    }
}
