using System.Diagnostics;
using System.Reflection;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab notebook run NOTEBOOK [--set name=value ...] [--output OUT.ipynb]`: executes every cell with
/// .NET Interactive's C# kernel in a child process (DiffusionLab.NotebookRunner). A child, because the
/// notebook #r's its own RID-specific copy of the library, and this process already has TorchSharp and
/// SkiaSharp loaded: two copies of those natives in one process crash.
/// </summary>
public static class NotebookCommand
{
    private const string RunnerDll = "DiffusionLab.NotebookRunner.dll";

    public static int Run(string[] argv, TextWriter stdout, TextWriter stderr)
    {
        if (argv.Length == 0 || argv[0] != "run")
            throw new UsageException("expected: difflab notebook run NOTEBOOK.ipynb [--set name=value ...] [--output OUT.ipynb]");
        var args = new Arguments(argv.Skip(1), new HashSet<string>());
        string notebook = args.Positional1("NOTEBOOK.ipynb");
        var sets = args.All("set");
        string? output = args.Option("output");
        args.RejectUnknown();
        if (args.Positional.Count > 1) throw new UsageException($"unexpected argument '{args.Positional[1]}'");
        if (!File.Exists(notebook)) throw new UsageException($"notebook '{notebook}': file not found");

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(notebook))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(LocateRunner(stdout));
        start.ArgumentList.Add(Path.GetFullPath(notebook));
        foreach (var s in sets) { start.ArgumentList.Add("--set"); start.ArgumentList.Add(s); }
        if (output is not null) { start.ArgumentList.Add("--output"); start.ArgumentList.Add(Path.GetFullPath(output)); }

        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        // Relayed line by line so a notebook that trains shows its progress while it runs.
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.WriteLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.WriteLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>
    /// The runner dll: $DIFFLAB_NOTEBOOK_RUNNER, else notebook-runner/ beside difflab (a published layout),
    /// else the build output recorded in difflab at build time (dotnet run, tests), built on demand when missing.
    /// </summary>
    private static string LocateRunner(TextWriter stdout)
    {
        if (Environment.GetEnvironmentVariable("DIFFLAB_NOTEBOOK_RUNNER") is { Length: > 0 } fromEnv)
            return File.Exists(fromEnv) ? fromEnv : throw new UsageException($"DIFFLAB_NOTEBOOK_RUNNER '{fromEnv}': file not found");
        string beside = Path.Combine(AppContext.BaseDirectory, "notebook-runner", RunnerDll);
        if (File.Exists(beside)) return beside;
        string? built = Metadata("NotebookRunnerPath"), project = Metadata("NotebookRunnerProject");
        if (built is not null && File.Exists(built)) return built;
        if (built is null || project is null || !File.Exists(project))
            throw new InvalidOperationException($"notebook runner not found: build src/DiffusionLab.NotebookRunner and set DIFFLAB_NOTEBOOK_RUNNER to its {RunnerDll}");
        stdout.WriteLine($"notebook: building the runner ({project})");
        var build = new ProcessStartInfo(DotnetHost()) { ArgumentList = { "build", project, "-c", Metadata("NotebookRunnerConfiguration") ?? "Debug", "-v", "quiet", "-nologo" } };
        using var p = Process.Start(build)!;
        p.WaitForExit();
        if (p.ExitCode != 0 || !File.Exists(built)) throw new InvalidOperationException($"building the notebook runner failed (dotnet build {project})");
        return built;
    }

    private static string? Metadata(string key) =>
        typeof(NotebookCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    /// <summary>The dotnet host that runs us (so an SDK-less runtime or a non-default install also works).</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
