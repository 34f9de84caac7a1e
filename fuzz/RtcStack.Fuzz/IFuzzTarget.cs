namespace RtcStack.Fuzz;

/// <summary>
/// One fuzz target: a parser entry point that must never throw on any input. Each module adds
/// its targets as classes under Targets/ implementing this interface and carrying a
/// <see cref="FuzzTargetAttribute"/> with the target's name; Program finds them by reflection
/// (reading only the attribute, so no other target is constructed), so adding a target touches
/// no shared file. The seed corpus lives in fuzz/corpus/&lt;Name&gt;/.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>Gets the target name used on the command line and as the corpus folder name.</summary>
    string Name => FuzzTargetAttribute.GetName(GetType())
        ?? throw new InvalidOperationException($"{GetType().FullName} has no [FuzzTarget(\"name\")] attribute");

    /// <summary>Feeds one input to the parser. Any exception escaping here is a finding.</summary>
    void Run(ReadOnlySpan<byte> data);
}
