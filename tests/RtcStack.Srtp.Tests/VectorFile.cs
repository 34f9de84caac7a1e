using RtcStack.TestSupport;

namespace RtcStack.Srtp.Tests;

/// <summary>Reads the blank-line-separated "name = value" records under specs/vectors.</summary>
internal static class VectorFile
{
    public static List<Dictionary<string, string>> Load(params string[] path)
    {
        var records = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (string raw in File.ReadAllLines(RepoPaths.Vector(path)))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                current = null;
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new FormatException("bad vector line: " + line);
            }

            if (current is null)
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                records.Add(current);
            }

            current[line[..eq]] = line[(eq + 3)..];
        }

        return records;
    }

    public static byte[] Hex(this Dictionary<string, string> record, string name) => Convert.FromHexString(record[name]);
}
