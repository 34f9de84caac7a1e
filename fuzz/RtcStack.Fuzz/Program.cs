using System.Reflection;
using SharpFuzz;

namespace RtcStack.Fuzz;

/// <summary>
/// Usage:
///   RtcStack.Fuzz list                      names of all targets
///   RtcStack.Fuzz TARGET                    run under AFL++ (fuzz/run.sh does this)
///   RtcStack.Fuzz TARGET --replay PATH...   run files or folders through the target in-process
///   RtcStack.Fuzz TARGET --make-seeds DIR   write the seeds of a target that records its own (<see cref="ISeedSource"/>)
/// </summary>
/// <remarks>
/// Targets are found by their <see cref="FuzzTargetAttribute"/> without being constructed, and only
/// the requested one is instantiated: under AFL++ every RtcStack library is instrumented, and
/// instrumented code that runs before <see cref="Fuzzer.OutOfProcess"/> has attached AFL's shared
/// coverage map crashes the host, so an unrelated target's constructor must never run. The one
/// that is run is constructed inside the callback of <c>Fuzzer.OutOfProcess.Run</c>, on the first
/// input, after SharpFuzz's set-up.
/// </remarks>
public static class Program
{
    /// <summary>Entry point; see the class remarks for the arguments.</summary>
    public static int Main(string[] args)
    {
        Dictionary<string, Type> targets = DiscoverTargets(out bool ok);
        if (!ok)
        {
            return 2;
        }

        if (args.Length == 0 || args[0] == "list")
        {
            foreach (string name in targets.Keys.Order(StringComparer.Ordinal))
            {
                Console.WriteLine(name);
            }

            return args.Length == 0 ? 2 : 0;
        }

        if (!targets.TryGetValue(args[0], out Type? type))
        {
            Console.Error.WriteLine($"unknown fuzz target '{args[0]}'; 'list' prints the known ones");
            return 2;
        }

        if (args.Length > 1 && args[1] == "--replay")
        {
            return Replay(args[0], Create(type), args.AsSpan(2));
        }

        if (args.Length == 3 && args[1] == "--make-seeds")
        {
            if (Create(type) is not ISeedSource source)
            {
                Console.Error.WriteLine($"fuzz target '{args[0]}' does not record its own seeds");
                return 2;
            }

            Directory.CreateDirectory(args[2]);
            foreach ((string name, byte[] data) in source.MakeSeeds())
            {
                File.WriteAllBytes(Path.Combine(args[2], name), data);
                Console.WriteLine($"{name}: {data.Length} bytes");
            }

            return 0;
        }

        IFuzzTarget? target = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            target ??= Create(type);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    /// <summary>Constructs the target class <paramref name="type"/> (one that <see cref="DiscoverTargets"/> returned).</summary>
    public static IFuzzTarget Create(Type type) => (IFuzzTarget)Activator.CreateInstance(type)!;

    private static int Replay(string name, IFuzzTarget target, ReadOnlySpan<string> paths)
    {
        int count = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                : [path];
            foreach (string file in files)
            {
                target.Run(File.ReadAllBytes(file));
                count++;
            }
        }

        Console.WriteLine($"{name}: {count} inputs replayed without an exception");
        return 0;
    }

    /// <summary>
    /// Maps each target name to its class by reading <see cref="FuzzTargetAttribute"/>; nothing is
    /// constructed and no static constructor of a target runs. A target class without the attribute
    /// and two classes with the same name are errors (reported on stderr, <paramref name="ok"/> false):
    /// a forgotten attribute silently dropped a target once.
    /// </summary>
    public static Dictionary<string, Type> DiscoverTargets(out bool ok)
    {
        ok = true;
        var targets = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (Type type in Assembly.GetExecutingAssembly().GetTypes())
        {
            if (type.IsAbstract || type.IsInterface || !typeof(IFuzzTarget).IsAssignableFrom(type))
            {
                continue;
            }

            string? name = FuzzTargetAttribute.GetName(type);
            if (string.IsNullOrEmpty(name))
            {
                Console.Error.WriteLine($"error: {type.FullName} implements IFuzzTarget but has no [FuzzTarget(\"name\")] attribute");
                ok = false;
            }
            else if (!targets.TryAdd(name, type))
            {
                Console.Error.WriteLine($"error: fuzz target name '{name}' is used by both {targets[name].FullName} and {type.FullName}");
                ok = false;
            }
        }

        return targets;
    }
}
