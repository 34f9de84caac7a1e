using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Cli.Tests.Docs;

/// <summary>
/// Issue 18, reference docs, the checks that need no outside program (they run in ./test.sh --fast too): every
/// public type of the documented libraries has a summary, the site's configuration and tables of contents cover every
/// library, module guide and spec, and the repository's text cites nothing outside the repository.
/// </summary>
public sealed partial class DocsContentTests(ITestOutputHelper output)
{
    [Fact]
    public void The_api_reference_covers_every_library_under_src()
    {
        string[] documented = DocsConfig.MetadataAssemblies().Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(DocsConfig.Libraries(), documented);
        Assert.Equal(14, documented.Length);
    }

    [Fact]
    public void Every_public_type_has_a_summary()
    {
        var missing = new List<string>();
        int checkedTypes = 0;
        foreach (string library in DocsConfig.Libraries())
        {
            // The copies beside this test assembly are the ones it was built against (same build as src/*/bin).
            string dll = Path.Combine(AppContext.BaseDirectory, library + ".dll");
            string xml = Path.ChangeExtension(dll, ".xml");
            Assert.True(File.Exists(dll), $"{dll} is missing");
            Assert.True(File.Exists(xml), $"{xml} is missing: the libraries generate their XML doc files (Directory.Build.props)");
            checkedTypes += PublicTypeDocIds(dll).Count;
            missing.AddRange(TypesWithoutSummary(dll, XDocument.Load(xml)).Select(id => $"{library}: {id}"));
        }

        output.WriteLine($"{checkedTypes} public types checked, {missing.Count} without a summary");
        Assert.True(checkedTypes > 500, $"only {checkedTypes} public types found: the metadata reader missed some");
        Assert.True(missing.Count == 0, $"{missing.Count} public types have no <summary>:\n{string.Join('\n', missing)}");
    }

    [Fact]
    public void The_summary_check_names_a_type_whose_summary_is_gone()
    {
        // The check above must be able to fail: drop one type's summary, and another's whole entry, from a real file.
        string dll = Path.Combine(AppContext.BaseDirectory, "RtcStack.Rtp.dll");
        XDocument xml = XDocument.Load(Path.ChangeExtension(dll, ".xml"));
        Assert.Empty(TypesWithoutSummary(dll, xml));
        XElement packet = xml.Descendants("member").Single(m => (string?)m.Attribute("name") == "T:RtcStack.Rtp.RtpPacket");
        packet.Element("summary")!.Value = " ";
        xml.Descendants("member").Single(m => (string?)m.Attribute("name") == "T:RtcStack.Rtp.RtpHeader").Remove();
        Assert.Equal(["T:RtcStack.Rtp.RtpHeader", "T:RtcStack.Rtp.RtpPacket"], TypesWithoutSummary(dll, xml).Order(StringComparer.Ordinal));
    }

    /// <summary>The public types of <paramref name="dll"/> that have no non-empty summary in its XML doc file.</summary>
    internal static IReadOnlyList<string> TypesWithoutSummary(string dll, XDocument xml)
    {
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (XElement member in xml.Descendants("member"))
        {
            summaries[(string?)member.Attribute("name") ?? ""] = member.Element("summary")?.Value.Trim() ?? "";
        }

        return PublicTypeDocIds(dll).Where(id => !summaries.TryGetValue(id, out string? s) || s.Length == 0).ToList();
    }

    [Fact]
    public void The_tables_of_contents_list_every_spec_module_guide_and_article()
    {
        string docs = Path.Combine(RepoPaths.Root, "docs");
        string specsToc = File.ReadAllText(Path.Combine(docs, "specs", "toc.yml"));
        foreach (string spec in Directory.GetFiles(Path.Combine(RepoPaths.Root, "specs"), "*.md"))
        {
            Assert.Contains($"href: ../../specs/{Path.GetFileName(spec)}\n", specsToc, StringComparison.Ordinal);
        }

        string modulesToc = File.ReadAllText(Path.Combine(docs, "modules", "toc.yml"));
        foreach (string readme in DocsConfig.ModuleReadmes())
        {
            Assert.Contains($"href: ../../src/{Path.GetFileName(Path.GetDirectoryName(readme))}/README.md\n", modulesToc, StringComparison.Ordinal);
        }

        string guidesToc = File.ReadAllText(Path.Combine(docs, "guides", "toc.yml"));
        foreach (string article in Directory.GetFiles(docs, "*.md"))
        {
            Assert.Contains($"href: ../{Path.GetFileName(article)}\n", guidesToc, StringComparison.Ordinal);
        }

        // Every href of a toc names a file that exists.
        foreach (string toc in new[] { "specs", "modules", "guides" }.Select(f => Path.Combine(docs, f, "toc.yml")))
        {
            foreach (Match m in TocHref().Matches(File.ReadAllText(toc)))
            {
                string target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(toc)!, m.Groups[1].Value));
                Assert.True(File.Exists(target), $"{toc}: {m.Groups[1].Value} does not exist");
            }
        }
    }

    [Fact]
    public void The_repository_text_cites_nothing_outside_the_repository()
    {
        // Built from parts so that this file does not match itself.
        string[] outside = ["../" + "shared", "/work/" + "shared", "shared/" + "interop"];
        string design = "DESIGN" + ".md";
        bool designExists = RepositoryTextFiles().Any(f => Path.GetFileName(f) == design);
        var found = new List<string>();
        int files = 0;
        foreach (string file in RepositoryTextFiles())
        {
            files++;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (string o in outside)
                {
                    if (lines[i].Contains(o, StringComparison.Ordinal))
                    {
                        found.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{i + 1}: cites \"{o}\", outside the repository");
                    }
                }

                if (!designExists && lines[i].Contains(design, StringComparison.Ordinal))
                {
                    found.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{i + 1}: cites {design}, which is not in the repository (cite docs/ARCHITECTURE.md)");
                }
            }
        }

        output.WriteLine($"{files} text files read");
        Assert.True(files > 500, $"only {files} text files found under {RepoPaths.Root}");
        Assert.True(found.Count == 0, string.Join('\n', found));
    }

    /// <summary>The documentation IDs ("T:Namespace.Outer.Inner`1") of the public types of an assembly, read from its metadata.</summary>
    internal static IReadOnlyList<string> PublicTypeDocIds(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        var ids = new List<string>();
        foreach (TypeDefinitionHandle h in md.TypeDefinitions)
        {
            if (IsVisible(md, h) && DocName(md, h) is string name)
            {
                ids.Add("T:" + name);
            }
        }

        return ids;
    }

    private static bool IsVisible(MetadataReader md, TypeDefinitionHandle h)
    {
        TypeDefinition t = md.GetTypeDefinition(h);
        TypeAttributes visibility = t.Attributes & TypeAttributes.VisibilityMask;
        if (visibility == TypeAttributes.Public)
        {
            return true;
        }

        // Nested: public or protected (visible to a derived type outside) inside a visible type.
        return visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem
            && IsVisible(md, t.GetDeclaringType());
    }

    private static string? DocName(MetadataReader md, TypeDefinitionHandle h)
    {
        TypeDefinition t = md.GetTypeDefinition(h);
        string name = md.GetString(t.Name);
        if (name == "<Module>")
        {
            return null;
        }

        TypeDefinitionHandle declaring = t.GetDeclaringType();
        if (!declaring.IsNil)
        {
            return DocName(md, declaring) + "." + name;
        }

        string ns = md.GetString(t.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>The repository's text files: sources, docs, scripts and project files, without .git and build output.</summary>
    private static IEnumerable<string> RepositoryTextFiles()
    {
        string[] skipDirectories = [".git", "bin", "obj", "TestResults", "artifacts", "out", "results", "StrykerOutput",
            "BenchmarkDotNet.Artifacts", "node_modules", "_site", "findings"];
        string[] textExtensions = [".cs", ".md", ".json", ".yml", ".yaml", ".sh", ".props", ".targets", ".csproj", ".sln",
            ".slnf", ".py", ".go", ".c", ".h", ".html", ".js", ".txt", ".xml", ".toml", ".cfg", ".conf", ""];
        var pending = new Stack<string>();
        pending.Push(RepoPaths.Root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string sub in Directory.GetDirectories(dir))
            {
                string name = Path.GetFileName(sub);
                bool generatedApi = name == "api" && Path.GetFileName(dir) == "docs";
                if (!skipDirectories.Contains(name) && !generatedApi)
                {
                    pending.Push(sub);
                }
            }

            foreach (string file in Directory.GetFiles(dir))
            {
                if (textExtensions.Contains(Path.GetExtension(file)) && new FileInfo(file).Length < 8 * 1024 * 1024)
                {
                    yield return file;
                }
            }
        }
    }

    [GeneratedRegex(@"href: (\S+)")]
    private static partial Regex TocHref();
}
