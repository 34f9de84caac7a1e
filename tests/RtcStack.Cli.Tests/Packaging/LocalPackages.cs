using System.Diagnostics;
using System.Globalization;
using System.Text;
using RtcStack.TestSupport;

namespace RtcStack.Cli.Tests.Packaging;

/// <summary>
/// Packs every project under src/ (`dotnet pack` of the solution, from the build this test assembly came with) into a
/// temporary folder, the local package source of the packaging tests, and runs the .NET SDK the way a user does
/// against it: a nuget.config beside the consumer projects adds the folder as a source (the machine's own sources
/// stay, for BouncyCastle and the other dependencies) and sends every restore to a package folder of its own, so a
/// package of an earlier run with the same version can never be used instead of the one just packed.
/// </summary>
public sealed class LocalPackages : IDisposable
{
    private readonly Stopwatch _packTime;

    public LocalPackages()
    {
        WorkDirectory = Directory.CreateTempSubdirectory("rtcstack-packages-").FullName;
        Feed = Path.Combine(WorkDirectory, "feed");
        Directory.CreateDirectory(Feed);
        _packTime = Stopwatch.StartNew();
        // --no-build: the packages hold exactly what this test assembly was built against; the pack itself still
        // computes the version (MinVer), the package metadata, the README, symbols and SourceLink.
        PackResult = Dotnet(RepoPaths.Root, TimeSpan.FromMinutes(10),
            "pack", Path.Combine(RepoPaths.Root, "RtcStack.sln"), "-c", Configuration, "--no-build", "--no-restore", "-o", Feed);
        _packTime.Stop();
        PackSeconds = _packTime.Elapsed.TotalSeconds;

        string? srtp = Directory.GetFiles(Feed, "RtcStack.Srtp.*.nupkg").FirstOrDefault(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        Version = srtp is null ? "" : Path.GetFileName(srtp)["RtcStack.Srtp.".Length..^".nupkg".Length];

        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // The machine's package folder is a fallback (read-only) folder: packages already there are used in place,
        // nothing of ours is written to it.
        File.WriteAllText(Path.Combine(WorkDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(WorkDirectory, "packages")}" />
              </config>
              <packageSources>
                <add key="rtcstack-local" value="{Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{globalPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    /// <summary>Gets the configuration this test assembly (and so src/) was built in.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    /// <summary>Gets the temporary folder that holds the feed, the nuget.config and the consumer projects.</summary>
    public string WorkDirectory { get; }

    /// <summary>Gets the folder the packages were written to.</summary>
    public string Feed { get; }

    /// <summary>Gets the result of `dotnet pack`.</summary>
    public RunResult PackResult { get; }

    /// <summary>Gets how long `dotnet pack` took.</summary>
    public double PackSeconds { get; }

    /// <summary>Gets the version MinVer gave the packages (from the RtcStack.Srtp file name), or "" if none was written.</summary>
    public string Version { get; }

    /// <summary>The result of one process run.</summary>
    public sealed record RunResult(int ExitCode, string Output, double Seconds)
    {
        /// <summary>Gets the last lines of the output, for failure messages.</summary>
        public string Tail => string.Join('\n', Output.Split('\n').TakeLast(60));
    }

    /// <summary>Runs `dotnet ARGS` in <paramref name="workingDirectory"/>.</summary>
    public static RunResult Dotnet(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        string dotnet = ExternalTool.Require("dotnet", "the .NET SDK");
        return Run(dotnet, workingDirectory, timeout, args);
    }

    /// <summary>
    /// Runs a program with stdout and stderr captured together; kills it (by PID, with its children) after
    /// <paramref name="timeout"/>. The environment is this one without the variables `dotnet test` sets for its own
    /// MSBuild, and with the build servers off, so nothing the run starts outlives it.
    /// </summary>
    public static RunResult Run(string file, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (string name in psi.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name is "NUGET_PACKAGES" or "DOTNET_HOST_PATH")
            {
                psi.Environment.Remove(name);
            }
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["UseSharedCompilation"] = "false";

        var output = new StringBuilder();
        var sw = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}:\n{output}");
        }

        p.WaitForExit();
        lock (output)
        {
            return new RunResult(p.ExitCode, output.ToString(), sw.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Writes a console project referencing the given RtcStack packages at <see cref="Version"/>.</summary>
    public string WriteConsoleProject(string name, IEnumerable<string> packages, string extraProperties = "")
    {
        string dir = Path.Combine(WorkDirectory, name);
        Directory.CreateDirectory(dir);
        string references = string.Join("\n", packages.Select(p => $"""    <PackageReference Include="{p}" Version="{Version}" />"""));
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            {extraProperties}
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
        return dir;
    }

    /// <summary>Formats seconds for the test output.</summary>
    public static string Seconds(double s) => s.ToString("F1", CultureInfo.InvariantCulture) + " s";

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a process that is exiting; the temporary folder is left behind.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
