using System.Diagnostics;
using DiffusionLab.Training;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab study run experiments/STUDY [--scale full|smoke] [--device D] [--results DIR] [--runs DIR]`:
/// trains every run × seed of the study (resumable: finished runs are skipped) and writes its report.
/// </summary>
public static class StudyCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string>());
        if (args.Positional.Count < 2 || args.Positional[0] != "run")
            throw new UsageException("study: expected `difflab study run experiments/STUDY [--scale full|smoke] [--device D]`");
        string studyDir = args.Positional[1];
        string scale = args.Option("scale") ?? "full";
        var device = DeviceOption.Parse(args.Option("device"));
        string runsRoot = args.Option("runs") ?? "runs";
        var spec = StudySpec.Load(studyDir);
        spec.ScaleOverrides(scale);
        string results = args.Option("results") ?? (scale == "full" ? Path.Combine("results", spec.Name) : Path.Combine(runsRoot, spec.Name, scale, "report"));
        args.RejectUnknown();

        // The revision of the code that trains, read before training: commits made meanwhile are not it.
        string revision = GitRevision.Describe();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        IReadOnlyList<(string Run, long Seed, string Folder)> folders;
        try { folders = new StudyRunner(spec, scale, device, runsRoot, stdout).RunAll(stop.Token); }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            stdout.WriteLine("stopped; the interrupted run wrote a checkpoint. Run the same command again to resume (finished runs are skipped).");
            return 130;
        }
        finally { Console.CancelKeyPress -= onCancel; }
        var measured = StudyResults.FromRunFolders(folders);
        string command = "difflab study run " + string.Join(" ", argv.Skip(1));
        var provenance = new StudyProvenance(command, revision, DeviceDescription.Of(device), DateTime.UtcNow, clock.Elapsed.TotalSeconds);
        StudyReport.Write(spec, scale, measured, folders, results, provenance);
        StudyCharts.WriteHtml(spec, measured, Path.Combine(results, "curves.html"));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, curves.png, curves-wallclock.png, curves.html, samples/)");
        return 0;
    }
}
