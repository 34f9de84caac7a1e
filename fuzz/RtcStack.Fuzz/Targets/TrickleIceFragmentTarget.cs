using RtcStack.WebRtc.Signalling;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The WHIP PATCH body parser (<c>application/trickle-ice-sdpfrag</c>, RFC 8840 §9.2): any text must
/// parse or be refused with a message, never throw; a parsed fragment must write text that parses
/// back to the same credentials, media sections and candidates.
/// </summary>
[FuzzTarget("trickle-ice-fragment")]
public sealed class TrickleIceFragmentTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        string text = System.Text.Encoding.Latin1.GetString(data);
        if (!TrickleIceFragment.TryParse(text, out TrickleIceFragment? f, out string? error))
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException("refused without a message");
            }

            return;
        }

        string written = f!.ToString();
        if (!TrickleIceFragment.TryParse(written, out TrickleIceFragment? again, out error))
        {
            // Values holding line breaks cannot be written back faithfully; anything else is a finding.
            if (text.Contains('\r', StringComparison.Ordinal))
            {
                return;
            }

            throw new InvalidOperationException("written fragment does not parse: " + error);
        }

        if (again!.Media.Count != f.Media.Count || again.IceUfrag != f.IceUfrag || again.IcePwd != f.IcePwd)
        {
            throw new InvalidOperationException("write/parse changed the fragment");
        }

        for (int i = 0; i < f.Media.Count; i++)
        {
            if (again.Media[i].Candidates.Count != f.Media[i].Candidates.Count || again.Media[i].EndOfCandidates != f.Media[i].EndOfCandidates)
            {
                throw new InvalidOperationException("write/parse changed a media section");
            }
        }
    }
}
