using System.Diagnostics;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Studies;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab study run experiments/STUDY [--scale full|smoke] [--device D] [--results DIR] [--runs DIR] [--seeds 0,1]`:
/// trains every run × seed of the study (resumable: finished runs are skipped) and writes its report. With
/// --seeds it trains only those seeds' runs and writes no report, so several processes can share one study
/// (one seed each, on one GPU); the same command without --seeds then finds them finished and reports.
/// `difflab study report experiments/STUDY --trained-on TEXT [--trained-by CMD] [--scale S] [--runs DIR] [--results DIR]`:
/// writes the report again from finished run folders without training (runs trained elsewhere, e.g. on a GPU machine
/// without fonts, whose charts came back without text); TEXT names the device the runs trained on.
/// `difflab study story experiments/STUDY --run T2I_RUN [--results DIR] [--device D]`: renders and judges the
/// study's stories with every method (see <see cref="StoryStudy"/>).
/// `difflab study photomaker experiments/STUDY [--scale full|smoke] [--results DIR] [--device D] [--runs DIR] [--base T2I_RUN] [--judges DIR]`:
/// trains the study's PhotoMaker variants (resumable) and evaluates them against DreamBooth and the text-only floor on
/// held-out people (see <see cref="PhotoMakerStudy"/>).
/// </summary>
public static class StudyCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string>());
        if (args.Positional.Count == 2 && args.Positional[0] == "story") return RunStory(args, argv, stdout);
        if (args.Positional.Count == 2 && args.Positional[0] == "photomaker") return RunPhotoMaker(args, argv, stdout);
        if (args.Positional.Count == 2 && args.Positional[0] == "report") return RunReport(args, argv, stdout);
        if (args.Positional.Count < 2 || args.Positional[0] != "run")
            throw new UsageException("study: expected `difflab study run experiments/STUDY [--scale full|smoke] [--device D]`, `difflab study story experiments/STUDY --run T2I_RUN` or `difflab study photomaker experiments/STUDY [--scale full|smoke]`");
        string studyDir = args.Positional[1];
        string scale = args.Option("scale") ?? "full";
        var device = DeviceOption.Parse(args.Option("device"));
        string runsRoot = args.Option("runs") ?? "runs";
        var spec = StudySpec.Load(studyDir);
        spec.ScaleOverrides(scale);
        string results = args.Option("results") ?? DefaultResults(spec.Name, scale, runsRoot);
        string? seedList = args.Option("seeds");
        args.RejectUnknown();
        if (seedList is not null) spec = spec.Select(spec.Runs.Select(r => r.Name).ToArray(), ParseSeeds(seedList, spec));

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
        if (seedList is not null)
        {
            stdout.WriteLine($"trained seeds {seedList}; no report (run the command without --seeds to write it once every seed is done)");
            return 0;
        }
        string command = "difflab study run " + string.Join(" ", argv.Skip(1));
        WriteReport(spec, scale, folders, results, new StudyProvenance(command, revision, DeviceDescription.Of(device), DateTime.UtcNow, clock.Elapsed.TotalSeconds), stdout);
        return 0;
    }

    private static void WriteReport(StudySpec spec, string scale, IReadOnlyList<(string Run, long Seed, string Folder)> folders, string results, StudyProvenance provenance, TextWriter stdout)
    {
        var measured = StudyResults.FromRunFolders(folders);
        StudyReport.Write(spec, scale, measured, folders, results, provenance);
        StudyCharts.WriteHtml(spec, measured, Path.Combine(results, "curves.html"));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, curves.png, curves-wallclock.png, curves.html, samples/)");
    }

    private static int RunReport(Arguments args, string[] argv, TextWriter stdout)
    {
        string studyDir = args.Positional[1];
        string scale = args.Option("scale") ?? "full";
        string runsRoot = args.Option("runs") ?? "runs";
        string trainedOn = args.Option("trained-on") ?? throw new UsageException("study report: expected --trained-on TEXT, the device the runs were trained on (it goes into the report's provenance)");
        string? trainedBy = args.Option("trained-by");
        var spec = StudySpec.Load(studyDir);
        spec.ScaleOverrides(scale);
        string results = args.Option("results") ?? DefaultResults(spec.Name, scale, runsRoot);
        args.RejectUnknown();

        var runner = new StudyRunner(spec, scale, torch.CPU, runsRoot, stdout);
        var unfinished = spec.Runs.SelectMany(r => spec.Seeds.Where(s => !StudyRunner.IsFinished(runner.Folder(r, s), spec.Config(r, s, scale))).Select(s => runner.Folder(r, s))).ToList();
        if (unfinished.Count > 0)
            throw new UsageException($"study report: {unfinished.Count} run(s) not finished (no evaluation at the last step), e.g. '{unfinished[0]}': expected every run of the study trained (`difflab study run {studyDir}`)");
        var clock = Stopwatch.StartNew();
        string report = "difflab study " + string.Join(" ", argv.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        string command = trainedBy is null ? report : $"{trainedBy}` (training), then `{report}";
        var provenance = new StudyProvenance(command, GitRevision.Describe(), $"runs trained on {trainedOn}; report written on {DeviceDescription.Of(torch.CPU)}", DateTime.UtcNow, clock.Elapsed.TotalSeconds);
        WriteReport(spec, scale, runner.Plan(), results, provenance, stdout);
        return 0;
    }

    /// <summary>Where a study's report goes without --results: the committed results/ at full scale, beside the runs otherwise.</summary>
    private static string DefaultResults(string study, string scale, string runsRoot) =>
        scale == "full" ? Path.Combine("results", study) : Path.Combine(runsRoot, study, scale, "report");

    private static long[] ParseSeeds(string list, StudySpec spec)
    {
        var seeds = new List<long>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, out long seed) || !spec.Seeds.Contains(seed))
                throw new UsageException($"--seeds '{list}': expected a comma-separated subset of the study's seeds ({string.Join(",", spec.Seeds)})");
            seeds.Add(seed);
        }
        if (seeds.Count == 0) throw new UsageException($"--seeds '{list}': expected at least one of the study's seeds ({string.Join(",", spec.Seeds)})");
        return seeds.Distinct().ToArray();
    }

    private static int RunPhotoMaker(Arguments args, string[] argv, TextWriter stdout)
    {
        string studyDir = args.Positional[1];
        string scale = args.Option("scale") ?? "full";
        var device = DeviceOption.Parse(args.Option("device"));
        string runsRoot = args.Option("runs") ?? "runs";
        string? baseRun = args.Option("base");
        string? judges = args.Option("judges");
        var spec = PhotoMakerStudySpec.Load(studyDir, scale);
        string results = args.Option("results") ?? DefaultResults(spec.Name, scale, runsRoot);
        args.RejectUnknown();
        var study = new PhotoMakerStudy(spec, device, runsRoot, stdout, baseRun, judges);

        // The revision of the code that trains and evaluates, read before it starts: commits made meanwhile are not it.
        string revision = GitRevision.Describe();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        PhotoMakerStudyResults measured;
        try
        {
            study.TrainVariants(stop.Token);
            using var memory = new DeviceMemoryProbe(device.type == TorchSharp.DeviceType.CUDA);
            measured = study.Evaluate(memory, Path.Combine(results, "samples"), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            stdout.WriteLine("stopped; an interrupted training run wrote a checkpoint. Run the same command again to resume (trained variants are skipped; the evaluation starts over).");
            return 130;
        }
        finally { Console.CancelKeyPress -= onCancel; }
        string command = "difflab study " + string.Join(" ", argv);
        PhotoMakerStudyReport.Write(results, spec, measured, new StudyProvenance(command, revision, DeviceDescription.Of(device), DateTime.UtcNow, clock.Elapsed.TotalSeconds));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, table.html, spec.json, samples/)");
        return 0;
    }

    private static int RunStory(Arguments args, string[] argv, TextWriter stdout)
    {
        string studyDir = args.Positional[1];
        string run = args.Option("run") ?? throw new UsageException("study story: expected --run T2I_RUN (a text-to-image run folder or checkpoint)");
        var device = DeviceOption.Parse(args.Option("device"));
        var spec = StoryStudySpec.Load(studyDir);
        string results = args.Option("results") ?? Path.Combine("results", spec.Name);
        args.RejectUnknown();

        string revision = GitRevision.Describe();
        var clock = Stopwatch.StartNew();
        using var trained = TrainedModel.Load(run, device: device);
        using var judges = CharacterWorldEvaluator.LoadDefault(device);
        string comics = Path.Combine(results, "comics");
        Directory.CreateDirectory(comics);
        var rows = StoryStudy.Run(trained, spec, judges, stdout, (method, seed, study, story, generation) =>
        {
            // The first story of the first seed, by every method: what the numbers look like.
            if (seed != spec.Seeds[0] || study.Name != StudyStory.Generate(1, spec.PanelsPerStory, spec.StorySeed)[0].Name) return;
            var comic = StoryComic.Render(story, generation.PanelList, new StoryComicOptions { Layout = ComicLayoutKind.Classic });
            IO.AtomicFile.WriteAllBytes(Path.Combine(comics, method.Replace(' ', '-').ToLowerInvariant() + ".png"), comic.Pngs[0]);
        });
        var scale = StoryStudy.RenderedScale(judges, people: 20, panels: spec.PanelsPerStory, seed: spec.StorySeed);
        string benchFile = Path.Combine(results, "bench.jsonl");
        var bench = File.Exists(benchFile)
            ? File.ReadAllLines(benchFile).Where(l => l.Length > 0).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).ToList()
            : [];
        var stories = Path.Combine(results, "stories");
        Directory.CreateDirectory(stories);
        foreach (var study in StudyStory.Generate(spec.Stories, spec.PanelsPerStory, spec.StorySeed))
            IO.AtomicFile.WriteAllText(Path.Combine(stories, study.Name + ".story"), study.Text);
        string command = "difflab study " + string.Join(" ", argv);
        StoryStudyReport.Write(results, spec, rows, scale, bench,
            new StudyProvenance(command, revision, DeviceDescription.Of(device) + $"; judged text-to-image run {trained.CheckpointPath} (step {trained.Step})", DateTime.UtcNow, clock.Elapsed.TotalSeconds));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, table.html, comics/, stories/{(bench.Count > 0 ? ", memory.png, time.png" : "")})");
        return 0;
    }
}
