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

    /// <summary>
    /// The revision a result was produced by: the code of the build (<see cref="OfBuild()"/>), marked when the configs it read
    /// at run time (experiments/, READMEs aside) differ from the checkout's commit. Edits to src/ while a long job runs are
    /// not in the running program, so they do not mark it.
    /// </summary>
    public static string OfRun()
    {
        string build = OfBuild();
        try
        {
            string configs = Git("status --porcelain -- experiments :(exclude)*.md").Trim();
            return configs.Length > 0 ? build + " (run with uncommitted changes in experiments/)" : build;
        }
        catch (System.ComponentModel.Win32Exception) { return build; }
    }

    /// <summary>The assembly version, without the revision the SDK appends to it.</summary>
    public static string Version => InformationalVersion().Split('+')[0];

    /// <summary>
    /// The short revision difflab was built from (the SDK records the commit in the informational version when it
    /// builds a git checkout), marked when src/ or experiments/ had uncommitted changes at build time; without a
    /// recorded commit, the revision of the checkout difflab runs in (<see cref="Describe"/>).
    /// </summary>
    public static string OfBuild() => OfBuild(InformationalVersion(), Metadata("UncommittedSource")) ?? Describe();

    /// <summary>
    /// The build's revision from its informational version ("1.0.0+SHA") and the count of uncommitted source files the
    /// build recorded (null: not recorded); null when the version names no commit.
    /// </summary>
    public static string? OfBuild(string informationalVersion, string? uncommittedFiles)
    {
        string[] parts = informationalVersion.Split('+', 2);
        if (parts.Length != 2 || parts[1].Length < 7) return null;
        bool dirty = uncommittedFiles is not null && uncommittedFiles != "0";
        return parts[1][..7] + (dirty ? " (built with uncommitted changes in src/ or experiments/)" : "");
    }

    private static string? Metadata(string key) =>
        typeof(GitRevision).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

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
