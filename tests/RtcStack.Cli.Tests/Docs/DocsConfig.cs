using System.Text.Json;
using RtcStack.TestSupport;

namespace RtcStack.Cli.Tests.Docs;

/// <summary>What docs/docfx.json and the repository say the reference site is made of.</summary>
internal static class DocsConfig
{
    /// <summary>Gets the DLLs docfx reads the API reference from (docs/docfx.json, metadata), as full paths.</summary>
    public static IReadOnlyList<string> MetadataAssemblies()
    {
        string docs = Path.Combine(RepoPaths.Root, "docs");
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(docs, "docfx.json")));
        var list = new List<string>();
        foreach (JsonElement metadata in config.RootElement.GetProperty("metadata").EnumerateArray())
        {
            foreach (JsonElement src in metadata.GetProperty("src").EnumerateArray())
            {
                string folder = Path.GetFullPath(Path.Combine(docs, src.GetProperty("src").GetString()!));
                foreach (JsonElement file in src.GetProperty("files").EnumerateArray())
                {
                    list.Add(Path.Combine(folder, file.GetString()!));
                }
            }
        }

        return list;
    }

    /// <summary>Gets the library projects under src/ (every project but the executables), by name.</summary>
    public static IReadOnlyList<string> Libraries() =>
        Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src"), "RtcStack.*")
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .Where(p => !File.ReadAllText(p).Contains("<OutputType>Exe</OutputType>", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToList()!;

    /// <summary>Gets the module guides: src/*/README.md.</summary>
    public static IReadOnlyList<string> ModuleReadmes() =>
        Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src"), "RtcStack.*")
            .Select(d => Path.Combine(d, "README.md"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .ToList();
}
