using RtcStack.Rtp.Capture;

namespace RtcStack.Rtp.Tests.Capture;

/// <summary>Shared helpers for capture tests.</summary>
internal static class CaptureTestData
{
    public static List<(CaptureRecord Record, byte[] Data)> ReadAll(byte[] file, out CaptureReadStatus status, out CaptureReader reader, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(file) : new NonSeekableStream(file);
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

    /// <summary>A read-only stream that cannot seek and returns data in small, uneven pieces.</summary>
    internal sealed class NonSeekableStream(byte[] data) : Stream
    {
        private int _pos;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 7), data.Length - _pos);
            Array.Copy(data, _pos, buffer, offset, n);
            _pos += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
