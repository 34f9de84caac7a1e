using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using RtcStack.Congestion;
using RtcStack.Congestion.External;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Cli.Sim;

/// <summary>
/// The controllers a <c>sim</c> run may name: the built-in GCC and NADA, classes loaded from assemblies
/// (<c>--cc-assembly</c>) and outside processes (<c>--cc-process NAME=COMMAND</c>). Thread-safe once filled: a sweep
/// creates controllers from several threads.
/// </summary>
internal sealed class ControllerCatalog
{
    private readonly Dictionary<string, Func<CongestionControllerSettings, ICongestionController>> _custom = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the names of the loaded and process controllers.</summary>
    public IReadOnlyCollection<string> CustomNames => _custom.Keys;

    /// <summary>True for a built-in or added controller.</summary>
    public bool IsKnown(string name) => ScenarioRunner.Controllers.Contains(name.ToLowerInvariant()) || _custom.ContainsKey(name);

    /// <summary>Every known name, built-ins first.</summary>
    public IEnumerable<string> AllNames => ScenarioRunner.Controllers.Concat(_custom.Keys);

    /// <summary>
    /// Loads every public class of the assembly at <paramref name="path"/> that implements
    /// <see cref="ICongestionController"/> and has a public constructor taking <see cref="CongestionControllerSettings"/>
    /// (or none), under its <see cref="CongestionControllerAttribute"/> name or else its class name.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Loading a user's controller assembly is reflection by nature; the rtcstack tool is framework-dependent and never trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above: the plugin's types are found and constructed by reflection in an untrimmed tool.")]
    public bool TryAddAssembly(string path, out string? error)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            error = $"{path}: no such file";
            return false;
        }
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(full).LoadFromAssemblyPath(full);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            error = $"{path}: not a loadable .NET assembly ({e.Message})";
            return false;
        }
        Type?[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }
        int found = 0;
        foreach (Type? type in types)
        {
            if (type is null || !type.IsClass || type.IsAbstract || !typeof(ICongestionController).IsAssignableFrom(type))
            {
                continue;
            }
            string name = type.GetCustomAttribute<CongestionControllerAttribute>()?.Name ?? type.Name;
            ConstructorInfo? withSettings = type.GetConstructor([typeof(CongestionControllerSettings)]);
            ConstructorInfo? bare = type.GetConstructor(Type.EmptyTypes);
            if (withSettings is null && bare is null)
            {
                continue;
            }
            if (IsKnown(name))
            {
                error = $"{path}: controller name '{name}' is already taken";
                return false;
            }
            _custom[name] = settings => (ICongestionController)(withSettings is not null ? withSettings.Invoke([settings]) : bare!.Invoke([]));
            found++;
        }
        if (found == 0)
        {
            error = $"{path}: no public class implementing ICongestionController with a constructor taking CongestionControllerSettings (or none)";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Adds an outside controller from <c>NAME=COMMAND</c>; every flow of every run starts its own process.</summary>
    public bool TryAddProcess(string spec, string? workingDirectory, out string? error)
    {
        int eq = spec.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == spec.Length - 1)
        {
            error = $"--cc-process wants NAME=COMMAND, not '{spec}'";
            return false;
        }
        string name = spec[..eq].Trim();
        string command = spec[(eq + 1)..];
        if (IsKnown(name))
        {
            error = $"controller name '{name}' is already taken";
            return false;
        }
        _custom[name] = settings => new ExternalController(name, new ProcessControllerChannel(command, workingDirectory), settings);
        error = null;
        return true;
    }

    /// <summary>
    /// A controller factory for one run with <paramref name="parameters"/>; every controller it makes is added to
    /// <paramref name="created"/> so the caller can dispose the outside ones when the run ends.
    /// </summary>
    public Func<string, MediaFlowDefinition, ICongestionController> Factory(IReadOnlyDictionary<string, double>? parameters, List<ICongestionController> created) =>
        (name, flow) =>
        {
            ICongestionController cc = _custom.TryGetValue(name, out Func<CongestionControllerSettings, ICongestionController>? make)
                ? make(ScenarioRunner.SettingsFor(flow, parameters))
                : ScenarioRunner.CreateController(name, flow, parameters);
            created.Add(cc);
            return cc;
        };

    /// <summary>Disposes the controllers that hold resources (outside processes).</summary>
    public static void Release(List<ICongestionController> created)
    {
        foreach (ICongestionController cc in created)
        {
            (cc as IDisposable)?.Dispose();
        }
        created.Clear();
    }
}
