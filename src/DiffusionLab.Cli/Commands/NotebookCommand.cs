using System.CommandLine;
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

    public static Command Definition()
    {
        var notebook = new Argument<string>("NOTEBOOK.ipynb") { Description = "the notebook to execute" };
        var sets = CliOptions.Overrides("set a notebook parameter, papermill style (the first cell's variable of that name)", "name=value");
        var output = new Option<string>("--output") { HelpName = "OUT.ipynb", Description = "write the executed notebook, outputs included, here" };
        var run = new Command("run", "Execute every cell of a notebook headless with .NET Interactive's C# kernel (in a child process)") { notebook, sets, output };
        run.SetAction(parse => Run(parse.GetRequiredValue(notebook), parse.GetValue(sets) ?? [], parse.GetValue(output), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return CommandGroup.Create("notebook", "Run the notebooks headless", run);
    }

    /// <param name="sets">name=value parameters, in order.</param>
    /// <param name="output">Where the executed notebook goes; null: not written.</param>
    public static int Run(string notebook, IReadOnlyList<string> sets, string? output, TextWriter stdout, TextWriter stderr)
    {
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
