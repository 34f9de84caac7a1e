using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;

namespace RtcStack.Cli.Sim;

/// <summary>
/// Loads a controller assembly beside the tool's own: its private dependencies come from its folder (through its
/// .deps.json when there is one), while RtcStack's assemblies are always the tool's, so the plugin's
/// <see cref="RtcStack.Congestion.ICongestionController"/> is the same type the simulator calls.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver? _resolver;
    private readonly string _directory;

    public PluginLoadContext(string path)
        : base("rtcstack-cc:" + Path.GetFileName(path), isCollectible: false)
    {
        _directory = Path.GetDirectoryName(path)!;
        try
        {
            _resolver = new AssemblyDependencyResolver(path);
        }
        catch (InvalidOperationException)
        {
            // No usable .deps.json: dependencies are looked up in the plugin's folder only.
            _resolver = null;
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "A plugin's private dependencies are loaded by path; the rtcstack tool is never trimmed.")]
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? name = assemblyName.Name;
        if (name is null || name.StartsWith("RtcStack.", StringComparison.Ordinal) || IsLoadedByHost(name))
        {
            return null;
        }
        string? path = _resolver?.ResolveAssemblyToPath(assemblyName);
        if (path is null)
        {
            string candidate = Path.Combine(_directory, name + ".dll");
            path = File.Exists(candidate) ? candidate : null;
        }
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    private static bool IsLoadedByHost(string name)
    {
        foreach (Assembly a in Default.Assemblies)
        {
            if (string.Equals(a.GetName().Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
