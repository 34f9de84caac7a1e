namespace RtcStack.TestSupport;

/// <summary>Locates files inside this repository (fixtures under specs/vectors and tests/*/Fixtures).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>Gets the repository root: the nearest ancestor of the test binary holding RtcStack.sln.</summary>
    public static string Root => s_root.Value;

    /// <summary>Gets the path of a file under specs/vectors.</summary>
    public static string Vector(params string[] parts) => Path.Combine([Root, "specs", "vectors", .. parts]);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RtcStack.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RtcStack.sln not found above " + AppContext.BaseDirectory);
    }
}
