using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Fuzz.Tests;

/// <summary>
/// The fuzz host as CI sees it: every target class is discoverable (a forgotten
/// <see cref="FuzzTargetAttribute"/> once dropped two targets without anyone noticing), every target
/// has a seed corpus and every corpus belongs to a target, and every seed and every input kept from
/// earlier campaigns (crash reproducers included) runs through its target without an exception.
/// </summary>
public class CorpusReplayTests
{
    private static readonly string s_corpus = Path.Combine(RepoPaths.Root, "fuzz", "corpus");

    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (string name in Program.DiscoverTargets(out _).Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void EveryTargetIsDiscoveredAndEveryCorpusHasATarget()
    {
        Dictionary<string, Type> targets = Program.DiscoverTargets(out bool ok);
        Assert.True(ok, "a target class has no [FuzzTarget] attribute or two share a name (see stderr)");
        string[] corpora = Directory.GetDirectories(s_corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(corpora, targets.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void CorpusReplaysWithoutAnException(string name)
    {
        Type type = Program.DiscoverTargets(out _)[name];
        string[] files = Directory.GetFiles(Path.Combine(s_corpus, name), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        IFuzzTarget target = Program.Create(type);
        foreach (string file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                Assert.Fail($"{name}: {Path.GetRelativePath(RepoPaths.Root, file)} throws {e}");
            }
        }
    }
}
