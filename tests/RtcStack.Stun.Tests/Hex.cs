using System.Globalization;

namespace RtcStack.Stun.Tests;

internal static class Hex
{
    /// <summary>Reads a .hex vector file: whitespace-separated hex bytes, '#' starts a comment line.</summary>
    public static byte[] ReadVector(string name)
    {
        string path = RtcStack.TestSupport.RepoPaths.Vector("rfc5769", name);
        var bytes = new List<byte>();
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            foreach (string tok in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                bytes.Add(byte.Parse(tok, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }
}
