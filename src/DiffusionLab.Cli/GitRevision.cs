using System.Diagnostics;

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

    private static string Git(string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : "";
    }
}
