using System.Text;

namespace RtcStack.Rtp.Capture;

/// <summary>
/// pcapng: a sequence of blocks (type, total length, body, total length). A Section Header Block
/// starts each section and fixes its byte order; Interface Description Blocks define the
/// interfaces that packet blocks refer to. Blocks of other types are skipped without buffering.
/// </summary>
public sealed partial class CaptureReader
{
    private const ushort OptionEnd = 0;
    private const ushort OptionIfName = 2;
    private const ushort OptionIfTimestampResolution = 9;
    private const ushort OptionIfTimestampOffset = 14;

    private CaptureReadStatus ReadPcapNgBlock(out CaptureRecord record)
    {
        record = default;
        while (true)
        {
            long start = _position;
            int got = ReadInto(0, 8);
            if (got == 0)
            {
                return End();
            }

            if (got < 8)
            {
                return Fail(CaptureReadStatus.Truncated, start,
                    $"the capture ends inside a pcapng block header at byte {start} ({got} of 8 bytes present)");
            }

            uint type = U32(0);
            if (type == PcapNgBlockType.SectionHeader)
            {
                CaptureReadStatus section = ReadSectionHeaderAfterType(start);
                if (section != CaptureReadStatus.Record)
                {
                    return section;
                }

                continue;
            }

            uint totalLength = U32(4);
            if (totalLength < 12 || totalLength % 4 != 0)
            {
                return Fail(CaptureReadStatus.Malformed, start,
                    $"pcapng block of type 0x{type:X8} at byte {start} has an invalid total length {totalLength} (must be a multiple of 4, at least 12)");
            }

            bool isPacket = type is PcapNgBlockType.EnhancedPacket or PcapNgBlockType.SimplePacket or PcapNgBlockType.ObsoletePacket;
            if (!isPacket && type != PcapNgBlockType.InterfaceDescription)
            {
                CaptureReadStatus skipped = SkipBlock(type, start, totalLength);
                if (skipped != CaptureReadStatus.Record)
                {
                    return skipped;
                }

                continue;
            }

            CaptureReadStatus body = ReadBlockBody(type, start, totalLength);
            if (body != CaptureReadStatus.Record)
            {
                return body;
            }

            int bodyLength = (int)totalLength - 12;
            if (type == PcapNgBlockType.InterfaceDescription)
            {
                CaptureReadStatus idb = ParseInterfaceDescription(start, bodyLength);
                if (idb != CaptureReadStatus.Record)
                {
                    return idb;
                }

                continue;
            }

            return ParsePacketBlock(type, start, bodyLength, out record);
        }
    }

    /// <summary>Reads the rest of a block whose 8-byte header is in the buffer, and checks the trailing length.</summary>
    private CaptureReadStatus ReadBlockBody(uint type, long start, uint totalLength)
    {
        if (totalLength > MaxRecordLength)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng block of type 0x{type:X8} at byte {start} claims {totalLength} bytes, more than the {MaxRecordLength}-byte limit: the file is corrupt");
        }

        int rest = (int)totalLength - 8;
        int got = ReadInto(8, rest);
        if (got < rest)
        {
            return Fail(CaptureReadStatus.Truncated, start,
                $"the capture ends inside a pcapng block of type 0x{type:X8} at byte {start} ({8 + got} of {totalLength} bytes present)");
        }

        uint trailing = U32((int)totalLength - 4);
        if (trailing != totalLength)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng block of type 0x{type:X8} at byte {start} has total length {totalLength} at its start but {trailing} at its end");
        }

        return CaptureReadStatus.Record;
    }

    private CaptureReadStatus SkipBlock(uint type, long start, uint totalLength)
    {
        long middle = (long)totalLength - 12;
        long skipped = Skip(middle);
        int got = skipped == middle ? ReadInto(0, 4) : 0;
        if (skipped < middle || got < 4)
        {
            return Fail(CaptureReadStatus.Truncated, start,
                $"the capture ends inside a pcapng block of type 0x{type:X8} at byte {start} ({8 + skipped + got} of {totalLength} bytes present)");
        }

        uint trailing = U32(0);
        if (trailing != totalLength)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng block of type 0x{type:X8} at byte {start} has total length {totalLength} at its start but {trailing} at its end");
        }

        return CaptureReadStatus.Record;
    }

    /// <summary>
    /// draft-ietf-opsawg-pcapng §4.1: reads a Section Header Block whose type (4 bytes) is already
    /// in the buffer; the byte-order magic decides how this and every later block of the section
    /// is read. A new section forgets the interfaces of the previous one.
    /// </summary>
    private CaptureReadStatus ReadSectionHeaderAfterType(long start)
    {
        int have = (int)(_position - start);
        int got = ReadInto(have, 12 - have);
        if (have + got < 12)
        {
            return Fail(CaptureReadStatus.Truncated, start,
                $"the capture ends inside a pcapng section header at byte {start} ({have + got} of at least 28 bytes present)");
        }

        bool wasBigEndian = _bigEndian;
        _bigEndian = false;
        if (U32(8) != PcapNgBlockType.ByteOrderMagic)
        {
            _bigEndian = true;
            if (U32(8) != PcapNgBlockType.ByteOrderMagic)
            {
                _bigEndian = wasBigEndian;
                return Fail(CaptureReadStatus.Malformed, start,
                    $"pcapng section header at byte {start} has byte-order magic {Convert.ToHexString(_buffer, 8, 4)}, expected 1A2B3C4D or 4D3C2B1A");
            }
        }

        uint totalLength = U32(4);
        if (totalLength < 28 || totalLength % 4 != 0)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng section header at byte {start} has an invalid total length {totalLength} (must be a multiple of 4, at least 28)");
        }

        if (totalLength > MaxRecordLength)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng section header at byte {start} claims {totalLength} bytes, more than the {MaxRecordLength}-byte limit: the file is corrupt");
        }

        int rest = (int)totalLength - 12;
        got = ReadInto(12, rest);
        if (got < rest)
        {
            return Fail(CaptureReadStatus.Truncated, start,
                $"the capture ends inside a pcapng section header at byte {start} ({12 + got} of {totalLength} bytes present)");
        }

        if (U32((int)totalLength - 4) != totalLength)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng section header at byte {start} has total length {totalLength} at its start but {U32((int)totalLength - 4)} at its end");
        }

        ushort major = U16(12);
        ushort minor = U16(14);
        if (major != 1)
        {
            return Fail(CaptureReadStatus.Malformed, start, $"unsupported pcapng version {major}.{minor} at byte {start} (only 1.x exists)");
        }

        _interfaces.Clear();
        return CaptureReadStatus.Record;
    }

    /// <summary>draft-ietf-opsawg-pcapng §4.2: link type, snap length and the timestamp options.</summary>
    private CaptureReadStatus ParseInterfaceDescription(long start, int bodyLength)
    {
        if (bodyLength < 8)
        {
            return Fail(CaptureReadStatus.Malformed, start, $"pcapng interface description at byte {start} is too short ({bodyLength} body bytes, need 8)");
        }

        var linkType = (LinkType)U16(8);
        uint snapLength = U32(12);
        byte resolution = 6;
        long offsetSeconds = 0;
        string? name = null;
        int pos = 16;
        int end = 8 + bodyLength;
        while (pos + 4 <= end)
        {
            ushort code = U16(pos);
            ushort length = U16(pos + 2);
            int value = pos + 4;
            if (code == OptionEnd)
            {
                break;
            }

            if (value + length > end)
            {
                return Fail(CaptureReadStatus.Malformed, start,
                    $"pcapng interface description at byte {start} has option {code} of length {length} running past the end of the block");
            }

            switch (code)
            {
                case OptionIfTimestampResolution when length >= 1:
                    resolution = _buffer[value];
                    break;
                case OptionIfTimestampOffset when length >= 8:
                    offsetSeconds = (long)U64(value);
                    break;
                case OptionIfName:
                    name = Encoding.UTF8.GetString(_buffer, value, length).TrimEnd('\0');
                    break;
                default:
                    break;
            }

            pos = value + ((length + 3) & ~3);
        }

        _interfaces.Add(new CaptureInterface(_interfaces.Count, linkType, (int)Math.Min(snapLength, int.MaxValue), resolution, offsetSeconds, name));
        return CaptureReadStatus.Record;
    }

    /// <summary>Enhanced (§4.3), Simple (§4.4) and obsolete (Appendix A) packet blocks.</summary>
    private CaptureReadStatus ParsePacketBlock(uint type, long start, int bodyLength, out CaptureRecord record)
    {
        record = default;
        long number = RecordsRead + 1;
        int interfaceId;
        ulong units = 0;
        int captured;
        uint original;
        int dataOffset;
        if (type == PcapNgBlockType.SimplePacket)
        {
            if (bodyLength < 4)
            {
                return Fail(CaptureReadStatus.Malformed, start, $"pcapng simple packet block (packet {number}) at byte {start} is too short");
            }

            interfaceId = 0;
            original = U32(8);
            dataOffset = 12;
            long limit = Math.Min(original, (uint)(bodyLength - 4));
            if (_interfaces.Count > 0 && _interfaces[0].SnapLength > 0)
            {
                limit = Math.Min(limit, _interfaces[0].SnapLength);
            }

            captured = (int)limit;
        }
        else
        {
            // Both the enhanced and the obsolete packet block have 20 fixed bytes before the data.
            if (bodyLength < 20)
            {
                return Fail(CaptureReadStatus.Malformed, start, $"pcapng packet block (packet {number}) at byte {start} is too short ({bodyLength} body bytes)");
            }

            interfaceId = type == PcapNgBlockType.EnhancedPacket ? (int)Math.Min(U32(8), int.MaxValue) : U16(8);
            units = ((ulong)U32(12) << 32) | U32(16);
            uint capturedField = U32(20);
            original = U32(24);
            dataOffset = 28;
            if (capturedField > (uint)(bodyLength - 20))
            {
                return Fail(CaptureReadStatus.Malformed, start,
                    $"pcapng packet block (packet {number}) at byte {start} claims {capturedField} captured bytes but the block holds only {bodyLength - 20}");
            }

            captured = (int)capturedField;
        }

        if (interfaceId >= _interfaces.Count)
        {
            return Fail(CaptureReadStatus.Malformed, start,
                $"pcapng packet block (packet {number}) at byte {start} refers to interface {interfaceId}, but only {_interfaces.Count} interface(s) were described before it");
        }

        CaptureInterface itf = _interfaces[interfaceId];
        long ns = type == PcapNgBlockType.SimplePacket ? 0 : ToNanoseconds(units, itf.TimestampResolution, itf.TimestampOffsetSeconds);
        RecordsRead = number;
        record = new CaptureRecord(number, ns, itf.LinkType, interfaceId, (int)Math.Min(original, int.MaxValue), new ReadOnlyMemory<byte>(_buffer, dataOffset, captured));
        return CaptureReadStatus.Record;
    }
}
