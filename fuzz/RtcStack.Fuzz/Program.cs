using System.Reflection;
using SharpFuzz;

namespace RtcStack.Fuzz;

/// <summary>
/// Usage:
///   RtcStack.Fuzz list                      names of all targets
///   RtcStack.Fuzz TARGET                    run under AFL++ (fuzz/run.sh does this)
///   RtcStack.Fuzz TARGET --replay PATH...   run files or folders through the target in-process
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Dictionary<string, IFuzzTarget> targets = DiscoverTargets();
        if (args.Length == 0 || args[0] == "list")
        {
            foreach (string name in targets.Keys.Order(StringComparer.Ordinal))
            {
                Console.WriteLine(name);
            }

            return args.Length == 0 ? 2 : 0;
        }

        if (!targets.TryGetValue(args[0], out IFuzzTarget? target))
        {
            Console.Error.WriteLine($"unknown fuzz target '{args[0]}'; 'list' prints the known ones");
            return 2;
        }

        if (args.Length > 1 && args[1] == "--replay")
        {
            return Replay(target, args.AsSpan(2));
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(IFuzzTarget target, ReadOnlySpan<string> paths)
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

        Console.WriteLine($"{target.Name}: {count} inputs replayed without an exception");
        return 0;
    }

    private static Dictionary<string, IFuzzTarget> DiscoverTargets()
    {
        var targets = new Dictionary<string, IFuzzTarget>(StringComparer.Ordinal);
        foreach (Type type in Assembly.GetExecutingAssembly().GetTypes())
        {
            if (!type.IsAbstract && typeof(IFuzzTarget).IsAssignableFrom(type))
            {
                var target = (IFuzzTarget)Activator.CreateInstance(type)!;
                targets.Add(target.Name, target);
            }
        }

        return targets;
    }
}
