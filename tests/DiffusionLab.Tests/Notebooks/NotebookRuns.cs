using DiffusionLab.Cli;

namespace DiffusionLab.Tests.Notebooks;

/// <summary>Runs `difflab notebook run` in-process (the notebook itself executes in the runner's child process).</summary>
internal static class NotebookRuns
{
    /// <summary>
    /// The xunit collection of every test that executes a notebook: each notebook's setup builds the library into the
    /// one build/nblib folder, and two builds into it at once (a fresh clone has none yet) can leave a file missing.
    /// </summary>
    public const string Collection = "notebooks";

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DiffusionLab.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no DiffusionLab.slnx above {AppContext.BaseDirectory}");
    }

    public static (int Code, string Out, string Err) Difflab(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
