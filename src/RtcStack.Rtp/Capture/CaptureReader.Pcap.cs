namespace RtcStack.Rtp.Capture;

/// <summary>Classic pcap: a 24-byte file header, then 16-byte record headers each followed by the packet bytes.</summary>
public sealed partial class CaptureReader
{
    /// <summary>draft-ietf-opsawg-pcap §4: magic for microsecond timestamps.</summary>
    internal const uint PcapMagicMicroseconds = 0xA1B2C3D4;

    /// <summary>draft-ietf-opsawg-pcap §4: magic for nanosecond timestamps.</summary>
    internal const uint PcapMagicNanoseconds = 0xA1B23C4D;

    /// <summary>The "modified" pcap of some Linux tools (Kuznetsov patches): microseconds, 24-byte record headers.</summary>
    internal const uint PcapMagicModified = 0xA1B2CD34;

    private const int PcapFileHeaderLength = 24;

    private int _pcapRecordHeaderLength = 16;
    private byte _pcapResolution = 6;

    private CaptureReadStatus ReadPcapHeaderAfterMagic(uint magic)
    {
        int got = ReadInto(4, PcapFileHeaderLength - 4);
        if (got < PcapFileHeaderLength - 4)
        {
            return Fail(CaptureReadStatus.Truncated, 0,
                $"the file ends inside the pcap file header ({4 + got} of {PcapFileHeaderLength} bytes)");
        }

        ushort major = U16(4);
        ushort minor = U16(6);
        if (major != 2)
        {
            return Fail(CaptureReadStatus.Malformed, 0, $"unsupported pcap version {major}.{minor} (only 2.x exists)");
        }

        uint snapLength = U32(16);

        // draft-ietf-opsawg-pcap §4: the link type is the low 16 bits; the upper bits may carry the
        // FCS length, which does not matter here because the IP length fields bound the payload.
        var linkType = (LinkType)(U32(20) & 0xFFFF);
        _pcapResolution = magic == PcapMagicNanoseconds ? (byte)9 : (byte)6;
        _pcapRecordHeaderLength = magic == PcapMagicModified ? 24 : 16;
        _interfaces.Add(new CaptureInterface(0, linkType, (int)Math.Min(snapLength, int.MaxValue), _pcapResolution, 0, null));
        return CaptureReadStatus.Record;
    }

    private CaptureReadStatus ReadPcapRecord(out CaptureRecord record)
    {
        record = default;
        long start = _position;
        long number = RecordsRead + 1;
        int got = ReadInto(0, _pcapRecordHeaderLength);
        if (got == 0)
        {
            return End();
        }

        if (got < _pcapRecordHeaderLength)
        {
            return Fail(CaptureReadStatus.Truncated, start,
                $"the capture ends inside the header of packet {number} at byte {start} ({got} of {_pcapRecordHeaderLength} bytes present)");
        }

        uint seconds = U32(0);
        uint fraction = U32(4);
        uint captured = U32(8);
        uint original = U32(12);
        if (captured > MaxRecordLength)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"packet {number} at byte {start} claims {captured} captured bytes, more than the {MaxRecordLength}-byte limit: the file is corrupt");
        }

        int length = (int)captured;
        int data = ReadInto(0, length);
        if (data < length)
        {
            return Fail(CaptureReadStatus.Truncated, start,
                $"the capture ends inside packet {number} at byte {start}: its header says {length} bytes were captured but only {data} remain");
        }

        ulong units = ((ulong)seconds * (_pcapResolution == 9 ? 1_000_000_000UL : 1_000_000UL)) + fraction;
        long ns = ToNanoseconds(units, _pcapResolution, 0);
        RecordsRead = number;
        record = new CaptureRecord(number, ns, _interfaces[0].LinkType, 0, (int)Math.Min(original, int.MaxValue), new ReadOnlyMemory<byte>(_buffer, 0, length));
        return CaptureReadStatus.Record;
    }
}
