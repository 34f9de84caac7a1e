using System.Buffers.Binary;
using RtcStack.Rtp;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// RFC 8285 header extension reader. Input: a whole extension block (16-bit profile, 16-bit
/// length in words, body), as it follows the CSRC list. Every element is read and handed to the
/// typed readers, and valid blocks are rewritten with the writer and read back.
/// </summary>
[FuzzTarget("rtp-header-extension")]
public sealed class RtpHeaderExtensionTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (!RtpHeaderExtensionReader.TryParseBlock(data, out RtpHeaderExtensionReader reader))
        {
            // Also try the body on its own under both profiles.
            if (data.Length >= 2)
            {
                ushort profile = BinaryPrimitives.ReadUInt16BigEndian(data);
                if (RtpHeaderExtensionReader.TryParse(profile, data[2..], out reader))
                {
                    Walk(reader);
                }
            }

            return;
        }

        Walk(reader);
        Rewrite(reader);
    }

    internal static long Walk(RtpHeaderExtensionReader reader)
    {
        long sum = 0;
        foreach (RtpHeaderExtensionElement element in reader)
        {
            ReadOnlySpan<byte> value = element.Value;
            sum += element.Id + value.Length;
            if (AudioLevelExtension.TryRead(value, out bool voice, out byte level))
            {
                sum += level + (voice ? 1 : 0);
            }

            if (AbsSendTimeExtension.TryRead(value, out uint ast))
            {
                sum += AbsSendTimeExtension.ToTime(ast).Ticks;
            }

            if (TransportSequenceNumberExtension.TryRead(value, out ushort seq))
            {
                sum += seq;
            }

            if (SdesTextExtension.TryRead(value, out ReadOnlySpan<byte> text))
            {
                sum += text.Length + (SdesTextExtension.TextEquals(value, "0") ? 1 : 0);
            }

            if (CsrcAudioLevelExtension.TryReadLevel(value, 0, out byte csrcLevel))
            {
                sum += csrcLevel;
            }

            if (!reader.TryGet(element.Id, out _))
            {
                throw new InvalidOperationException("enumerated element not found by id");
            }
        }

        return sum;
    }

    // Writes the elements again (two-byte capable) and checks the result reads back the same.
    private static void Rewrite(RtpHeaderExtensionReader reader)
    {
        Span<byte> buffer = stackalloc byte[4 + (2 * reader.Data.Length) + 8];
        var writer = new RtpHeaderExtensionWriter(buffer, RtpHeaderExtensionMode.Mixed);
        foreach (RtpHeaderExtensionElement element in reader)
        {
            if (!writer.TryAdd(element.Id, element.Value))
            {
                throw new InvalidOperationException("a parsed element could not be written back");
            }
        }

        int length = writer.Finish();
        if (writer.Count == 0)
        {
            return;
        }

        if (!RtpHeaderExtensionReader.TryParseBlock(buffer[..length], out RtpHeaderExtensionReader again))
        {
            throw new InvalidOperationException("rewritten block does not parse");
        }

        RtpHeaderExtensionReader.Enumerator a = reader.GetEnumerator();
        RtpHeaderExtensionReader.Enumerator b = again.GetEnumerator();
        while (a.MoveNext())
        {
            if (!b.MoveNext() || a.Current.Id != b.Current.Id || !a.Current.Value.SequenceEqual(b.Current.Value))
            {
                throw new InvalidOperationException("rewritten block differs");
            }
        }

        if (b.MoveNext())
        {
            throw new InvalidOperationException("rewritten block has extra elements");
        }
    }
}
