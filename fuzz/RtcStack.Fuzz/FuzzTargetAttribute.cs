using System.Reflection;

namespace RtcStack.Fuzz;

/// <summary>
/// Names a fuzz target class. The host reads this attribute to list targets and to pick the one
/// requested on the command line without constructing any other: a target's constructor or field
/// initialisers may run SharpFuzz-instrumented code, which must not run before SharpFuzz has set
/// up AFL's shared coverage map (it dies with an access violation), so only the requested target
/// is instantiated, and only once SharpFuzz is ready to run it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class FuzzTargetAttribute : Attribute
{
    /// <summary>Initializes the attribute with the target's name.</summary>
    /// <param name="name">The name used on the command line and as the corpus folder name (fuzz/corpus/&lt;name&gt;/).</param>
    public FuzzTargetAttribute(string name)
    {
        Name = name;
    }

    /// <summary>Gets the target name used on the command line and as the corpus folder name.</summary>
    public string Name { get; }

    /// <summary>Gets the name given to <paramref name="type"/> by its attribute, or null when it has none.</summary>
    /// <param name="type">A class implementing <see cref="IFuzzTarget"/>.</param>
    public static string? GetName(Type type) => type.GetCustomAttribute<FuzzTargetAttribute>(inherit: false)?.Name;
}
