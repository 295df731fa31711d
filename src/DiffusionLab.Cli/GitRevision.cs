using System.Diagnostics;
using System.Reflection;

namespace DiffusionLab.Cli;

/// <summary>The checkout's short revision for results' provenance, marked when src/ or experiments/ have uncommitted changes.</summary>
public static class GitRevision
{
    public static string Describe()
    {
        try
        {
            string head = Git("rev-parse --short HEAD").Trim();
            string dirty = Git("status --porcelain -- src experiments").Trim();
            return head.Length == 0 ? "unknown (not a git checkout)" : dirty.Length > 0 ? head + " (with uncommitted changes in src/ or experiments/)" : head;
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown (git not found)"; }
    }

    /// <summary>The assembly version, without the revision the SDK appends to it.</summary>
    public static string Version => InformationalVersion().Split('+')[0];

    /// <summary>
    /// The short revision difflab was built from (the SDK records the commit in the informational version when it
    /// builds a git checkout); without one, the revision of the checkout difflab runs in (<see cref="Describe"/>).
    /// </summary>
    public static string OfBuild()
    {
        string[] parts = InformationalVersion().Split('+', 2);
        return parts.Length == 2 && parts[1].Length >= 7 ? parts[1][..7] : Describe();
    }

    private static string InformationalVersion() =>
        typeof(GitRevision).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static string Git(string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : "";
    }
}
