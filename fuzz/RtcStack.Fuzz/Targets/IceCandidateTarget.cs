using System.Text;
using RtcStack.Ice;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The ICE candidate attribute parser (RFC 8839 §5.1) on arbitrary text (the bytes as UTF-8):
/// whatever it accepts must write back to text that parses to the same text again.
/// </summary>
[FuzzTarget("ice-candidate")]
public sealed class IceCandidateTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        string text = Encoding.UTF8.GetString(data);
        if (!IceCandidate.TryParse(text, out IceCandidate? candidate))
        {
            return;
        }

        Span<char> buffer = stackalloc char[2048];
        if (!candidate!.TryFormat(buffer, out int n))
        {
            // Only possible when the input itself was longer than the buffer.
            if (text.Length < 1500)
            {
                throw new InvalidOperationException("a short candidate did not format");
            }

            return;
        }

        string written = new(buffer[..n]);
        if (!IceCandidate.TryParse(written, out IceCandidate? again) || again!.ToString() != written)
        {
            throw new InvalidOperationException("round trip failed: " + written);
        }
    }
}
