namespace RtcStack.Congestion;

/// <summary>
/// Names a congestion controller class so a host can load it by name from an assembly (<c>rtcstack sim
/// --cc-assembly PATH --cc NAME</c>). The class implements <see cref="ICongestionController"/> and has a public
/// constructor taking a <see cref="CongestionControllerSettings"/> (or none).
/// </summary>
/// <param name="name">The name used on the command line and in reports, lower case by convention ("aimd-delay").</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CongestionControllerAttribute(string name) : Attribute
{
    /// <summary>Gets the controller's name.</summary>
    public string Name { get; } = name;
}
