using System.CommandLine;
using System.Diagnostics;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Studies;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab study run experiments/STUDY [--scale full|smoke] [--device D] [--results DIR] [--runs DIR] [--seeds 0,1] [--only RUN,RUN] [--earlier DIR]`:
/// trains every run × seed of the study (resumable: finished runs are skipped) and writes its report. With
/// --seeds or --only it trains only those seeds' or runs' part and writes no report, so several processes can share one
/// study (one seed or one run each, on one GPU or one per core); the same command without them then finds them finished and reports.
/// `difflab study report experiments/STUDY --trained-on TEXT [--trained-by CMD] [--scale S] [--runs DIR] [--results DIR] [--partial] [--earlier DIR]`:
/// writes the report again from finished run folders without training (runs trained elsewhere, e.g. on a GPU machine
/// without fonts, whose charts came back without text); TEXT names the device the runs trained on. With --earlier, run
/// × seeds whose folders are gone (a machine that did not keep them) come from an earlier report of the study.
/// `difflab study story experiments/STUDY --run T2I_RUN [--results DIR] [--device D]`: renders and judges the
/// study's stories with every method (see <see cref="StoryStudy"/>).
/// `difflab study photomaker experiments/STUDY [--scale full|smoke] [--results DIR] [--device D] [--runs DIR] [--base T2I_RUN] [--judges DIR]`:
/// trains the study's PhotoMaker variants (resumable) and evaluates them against DreamBooth and the text-only floor on
/// held-out people (see <see cref="PhotoMakerStudy"/>).
/// `difflab study motion experiments/STUDY [--scale full|smoke] [--results DIR] [--device D] [--runs DIR] [--base T2I_RUN] [--judges DIR]`:
/// trains StoryDiffusion's motion stage with and without the predictor (resumable) and judges their transition clips, a pixel
/// cross-fade and the text-only floor against CharacterWorld's ground-truth clips (see <see cref="MotionStudy"/>).
/// </summary>
public static class StudyCommand
{
    public static Command Definition() => CommandGroup.Create("study", "Train, evaluate and report a study of experiments/ (results/STUDY: README, metrics, charts)",
        RunDefinition(), ReportDefinition(), StoryDefinition(), PhotoMakerDefinition(), MotionDefinition());

    private static Argument<string> StudyArgument() => new("STUDY") { Description = "the study's folder, experiments/STUDY (its study.json and configs)" };

    private static Option<string> ScaleOption() => new("--scale")
        { HelpName = "SCALE", Description = "the study's scale: full, or one its study.json defines (e.g. smoke, gpu)", DefaultValueFactory = _ => "full" };

    private static Option<string> RunsOption() => new("--runs") { HelpName = "DIR", Description = "where the run folders are", DefaultValueFactory = _ => "runs" };

    private static Option<string> ResultsOption(string defaultText) => new("--results") { HelpName = "DIR", Description = $"where the report goes (default: {defaultText})" };

    private const string DefaultResultsText = "results/STUDY at full scale, RUNS/STUDY/SCALE/report otherwise";

    /// <summary>`difflab study ...` as typed, for the report's provenance.</summary>
    private static string CommandLine(ParseResult parse, bool quote = false) =>
        "difflab " + string.Join(" ", parse.Tokens.Select(t => quote && t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value));

    private static Option<string[]> EarlierOption() => new("--earlier")
    {
        HelpName = "DIR", Arity = ArgumentArity.OneOrMore,
        Description = "an earlier report of the study (e.g. results/STUDY), or of a study one of its runs shares (repeat the option for both): run x seeds not finished under --runs are taken from its metrics.csv, grids and sources (not trained), if their config's budget and schedule are unchanged",
    };

    private static Command RunDefinition()
    {
        var study = StudyArgument();
        var scale = ScaleOption();
        var device = DeviceOption.Create();
        var results = ResultsOption(DefaultResultsText);
        var runs = RunsOption();
        var seeds = CliOptions.Integers("--seeds", "0,1", "train only these seeds' runs and write no report (several processes can share a study, one seed each)");
        var only = CliOptions.Names("--only", "RUN,RUN", "train only these runs of the study (at the chosen seeds) and write no report");
        var earlier = EarlierOption();
        var command = new Command("run", "Train every run x seed of a study (resumable: finished runs are skipped) and write its report") { study, scale, device, results, runs, seeds, only, earlier };
        command.SetAction(parse => Run(parse.GetRequiredValue(study), parse.GetRequiredValue(scale), DeviceOption.Parse(parse.GetValue(device)), parse.GetValue(results),
            parse.GetRequiredValue(runs), parse.GetValue(seeds), CommandLine(parse), parse.InvocationConfiguration.Output, parse.GetValue(only), parse.GetValue(earlier)));
        return command;
    }

    private static Command ReportDefinition()
    {
        var study = StudyArgument();
        var trainedOn = new Option<string>("--trained-on") { HelpName = "TEXT", Description = "the device the runs were trained on (it goes into the report's provenance)", Required = true };
        var trainedBy = new Option<string>("--trained-by") { HelpName = "CMD", Description = "the command that trained the runs (default: this one)" };
        var scale = ScaleOption();
        var runs = RunsOption();
        var results = ResultsOption(DefaultResultsText);
        var partial = new Option<bool>("--partial") { Description = "an interim report while the study trains: only the seeds whose baseline is finished and the runs finished at all of them; the README names what is still missing" };
        var earlier = EarlierOption();
        var command = new Command("report", "Write a study's report again from finished run folders, without training (e.g. runs trained on another machine)")
            { study, trainedOn, trainedBy, scale, runs, results, partial, earlier };
        command.SetAction(parse => Report(parse.GetRequiredValue(study), parse.GetRequiredValue(trainedOn), parse.GetValue(trainedBy), parse.GetRequiredValue(scale),
            parse.GetRequiredValue(runs), parse.GetValue(results), CommandLine(parse, quote: true), parse.InvocationConfiguration.Output, parse.GetValue(partial), parse.GetValue(earlier)));
        return command;
    }

    private static Command StoryDefinition()
    {
        var study = StudyArgument();
        var run = new Option<string>("--run") { HelpName = "T2I_RUN", Description = "the text-to-image run folder or checkpoint that draws the stories", Required = true };
        var results = ResultsOption("results/STUDY");
        var device = DeviceOption.Create();
        var command = new Command("story", "Render and judge a story study's stories with every method (no consistent attention, and each rate)") { study, run, results, device };
        command.SetAction(parse => Story(parse.GetRequiredValue(study), parse.GetRequiredValue(run), parse.GetValue(results), DeviceOption.Parse(parse.GetValue(device)),
            CommandLine(parse), parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command PhotoMakerDefinition()
    {
        var study = StudyArgument();
        var scale = ScaleOption();
        var results = ResultsOption(DefaultResultsText);
        var device = DeviceOption.Create();
        var runs = RunsOption();
        var baseRun = new Option<string>("--base") { HelpName = "T2I_RUN", Description = "the text-to-image run the variants train on (default: the study's; a stand-in is trained if missing)" };
        var judges = new Option<string>("--judges") { HelpName = "DIR", Description = "the CharacterWorld judges' weights (default: those embedded in the library)" };
        var command = new Command("photomaker", "Train a PhotoMaker study's variants (resumable) and evaluate them against DreamBooth and the text-only floor on held-out people")
            { study, scale, results, device, runs, baseRun, judges };
        command.SetAction(parse => PhotoMaker(parse.GetRequiredValue(study), parse.GetRequiredValue(scale), parse.GetValue(results), DeviceOption.Parse(parse.GetValue(device)),
            parse.GetRequiredValue(runs), parse.GetValue(baseRun), parse.GetValue(judges), CommandLine(parse), parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command MotionDefinition()
    {
        var study = StudyArgument();
        var scale = ScaleOption();
        var results = ResultsOption(DefaultResultsText);
        var device = DeviceOption.Create();
        var runs = RunsOption();
        var baseRun = new Option<string>("--base") { HelpName = "T2I_RUN", Description = "the text-to-image run both arms train on (default: the configs' BaseCheckpoint)" };
        var judges = new Option<string>("--judges") { HelpName = "DIR", Description = "the CharacterWorld judges' weights (default: those embedded in the library)" };
        var command = new Command("motion", "Train StoryDiffusion's motion stage with and without the predictor (resumable) and judge transition clips against CharacterWorld's ground truth")
            { study, scale, results, device, runs, baseRun, judges };
        command.SetAction(parse => Motion(parse.GetRequiredValue(study), parse.GetRequiredValue(scale), parse.GetValue(results), DeviceOption.Parse(parse.GetValue(device)),
            parse.GetRequiredValue(runs), parse.GetValue(baseRun), parse.GetValue(judges), CommandLine(parse), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Motion(string studyDir, string scale, string? results, Device device, string runsRoot, string? baseRun, string? judges, string command, TextWriter stdout)
    {
        var spec = MotionStudySpec.Load(studyDir, scale);
        results ??= DefaultResults(spec.Name, scale, runsRoot);
        var study = new MotionStudy(spec, device, runsRoot, stdout, baseRun, judges);
        string revision = GitRevision.OfRun();
        var clock = Stopwatch.StartNew();
        using var stop = new StopSignals();
        IReadOnlyList<MotionStudyRow> rows;
        IReadOnlyDictionary<string, long?> peaks;
        try
        {
            study.Train(stop.Token);
            using var memory = new DeviceMemoryProbe(device.type == TorchSharp.DeviceType.CUDA);
            (rows, peaks) = study.Evaluate(memory, Path.Combine(results, "samples"), stop.Token);
        }
        catch (OperationCanceledException) when (stop.Requested)
        {
            stdout.WriteLine("stopped; an interrupted training run wrote a checkpoint. Run the same command again to resume (trained arms are skipped; the evaluation starts over).");
            return 130;
        }
        string trainedOn = $"{study.WithPredictor.Steps} steps with the predictor ({study.Folder(true)}) and {study.WithoutPredictor.Steps} without ({study.Folder(false)}) on base {study.WithPredictor.BaseCheckpoint}";
        MotionStudyReport.Write(results, spec, study.Frames, rows, peaks,
            new StudyProvenance(command, revision, DeviceDescription.Of(device), DateTime.UtcNow, clock.Elapsed.TotalSeconds), trainedOn);
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, table.html, spec.json, samples/)");
        return 0;
    }

    /// <param name="seedList">Only these seeds' runs, and no report; null: every seed.</param>
    /// <param name="command">The command line, for the report's provenance.</param>
    /// <param name="runList">Only these runs, and no report; null: every run. The report follows only when both are null.</param>
    /// <param name="earlierDirs">Earlier reports whose run × seeds are not trained again but carried into the report (<see cref="EarlierStudyReport"/>).</param>
    public static int Run(string studyDir, string scale, Device device, string? results, string runsRoot, IReadOnlyList<long>? seedList, string command, TextWriter stdout,
        IReadOnlyList<string>? runList = null, IReadOnlyList<string>? earlierDirs = null)
    {
        var spec = StudySpec.Load(studyDir);
        spec.ScaleOverrides(scale);
        results ??= DefaultResults(spec.Name, scale, runsRoot);
        // Against the whole study, before --seeds and --only narrow it, and before a report may replace that folder.
        var earlier = earlierDirs is not { Count: > 0 } ? null : EarlierStudyReport.Load(earlierDirs, spec, scale);
        bool part = seedList is not null || runList is not null;
        if (seedList is not null) spec = spec.Select(spec.Runs.Select(r => r.Name).ToArray(), CheckSeeds(seedList, spec));
        // Not through Select: a part trained for someone else's report need not contain the baseline.
        if (runList is not null) spec = spec with { Runs = CheckRuns(runList, spec) };

        // The revision of the code that trains, read before training: commits made meanwhile are not it.
        string revision = GitRevision.OfRun();
        var clock = Stopwatch.StartNew();
        using var stop = new StopSignals();
        IReadOnlyList<(string Run, long Seed, string Folder)> folders;
        var runner = new StudyRunner(spec, scale, device, runsRoot, stdout);
        try { folders = runner.RunAll(stop.Token, earlier?.Finished); }
        catch (OperationCanceledException) when (stop.Requested)
        {
            stdout.WriteLine("stopped; the interrupted run wrote a checkpoint. Run the same command again to resume (finished runs are skipped).");
            return 130;
        }
        if (part)
        {
            string what = string.Join(" ", new[] { runList is null ? null : $"runs {string.Join(",", runList)}", seedList is null ? null : $"seeds {string.Join(",", seedList)}" }.OfType<string>());
            stdout.WriteLine($"trained {what}; no report (run the command without --seeds and --only to write it once every run is done)");
            return 0;
        }
        var provenance = new StudyProvenance(command, revision, DeviceDescription.Of(device), DateTime.UtcNow, clock.Elapsed.TotalSeconds);
        if (earlier is null) WriteReport(spec, scale, folders, results, provenance, stdout);
        else
        {
            var (_, trained, carried, _) = runner.FinishedPart(earlier.Finished);
            WriteReport(spec, scale, trained, results, provenance, stdout, earlier, carried);
        }
        return 0;
    }

    private static void WriteReport(StudySpec spec, string scale, IReadOnlyList<(string Run, long Seed, string Folder)> folders, string results, StudyProvenance provenance, TextWriter stdout,
        EarlierStudyReport? earlier = null, IReadOnlyList<(string Run, long Seed)>? carried = null)
    {
        var fromFolders = StudyResults.FromRunFolders(folders);
        // The study's run order, each run's seeds in order, whichever side a run × seed came from.
        var measured = earlier is null || carried is not { Count: > 0 } ? fromFolders
            : new StudyResults(fromFolders.Records.Concat(earlier.Select(spec, carried).Records)
                .OrderBy(r => Array.FindIndex(spec.Runs, s => s.Name == r.Run)).ThenBy(r => r.Seed).ToList());
        StudyReport.Write(spec, scale, measured, folders, results, provenance, earlier, carried);
        StudyCharts.WriteHtml(spec, measured, Path.Combine(results, "curves.html"));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, curves.png, curves-wallclock.png, curves.html, class-accuracy.png and probe-label-follow.png where evaluated, samples/)");
    }

    /// <param name="trainedBy">The command that trained the runs; null: this one did.</param>
    /// <param name="report">This command line, for the report's provenance.</param>
    /// <param name="partial">Report the finished part of the study only (<see cref="StudyRunner.FinishedPart"/>), naming the rest as pending.</param>
    /// <param name="earlierDirs">Earlier reports whose run × seeds stand in for those not finished under <paramref name="runsRoot"/> (<see cref="EarlierStudyReport"/>).</param>
    public static int Report(string studyDir, string trainedOn, string? trainedBy, string scale, string runsRoot, string? results, string report, TextWriter stdout, bool partial = false,
        IReadOnlyList<string>? earlierDirs = null)
    {
        var spec = StudySpec.Load(studyDir);
        spec.ScaleOverrides(scale);
        results ??= DefaultResults(spec.Name, scale, runsRoot);
        // Read before anything is written: the earlier report may be the folder this one replaces.
        var earlier = earlierDirs is not { Count: > 0 } ? null : EarlierStudyReport.Load(earlierDirs, spec, scale);

        var runner = new StudyRunner(spec, scale, torch.CPU, runsRoot, stdout);
        string? pending = null;
        var (finished, folders, carried, missing) = runner.FinishedPart(earlier?.Finished);
        if (partial)
        {
            if (missing.Count > 0)
                pending = string.Join("; ", missing.GroupBy(m => m.Run).Select(g => $"{g.Key} (seed{(g.Count() > 1 ? "s" : "")} {string.Join(", ", g.Select(m => m.Seed))})"));
            spec = finished;
        }
        else if (missing.Count > 0)
        {
            var (run, seed) = missing[0];
            throw new UsageException($"study report: {missing.Count} run(s) not finished (no evaluation at the last step{(earlier is null ? "" : " and not in the earlier report")}), e.g. '{runner.Folder(spec.Runs.Single(r => r.Name == run), seed)}': expected every run of the study trained (`difflab study run {studyDir}`, or `--partial` for an interim report)");
        }
        var clock = Stopwatch.StartNew();
        string command = trainedBy is null ? report : $"{trainedBy}` (training), then `{report}";
        var provenance = new StudyProvenance(command, GitRevision.OfRun(), $"runs trained on {trainedOn}; report written on {DeviceDescription.Of(torch.CPU)}", DateTime.UtcNow, clock.Elapsed.TotalSeconds, pending);
        WriteReport(spec, scale, folders, results, provenance, stdout, earlier, carried);
        if (carried.Count > 0) stdout.WriteLine($"carried {carried.Count} run x seed(s) over from the earlier report{(earlierDirs!.Count > 1 ? "s" : "")} {string.Join(", ", earlierDirs)} (sources.json says where each was measured)");
        return 0;
    }

    /// <summary>Where a study's report goes without --results: the committed results/ at full scale, beside the runs otherwise.</summary>
    private static string DefaultResults(string study, string scale, string runsRoot) =>
        scale == "full" ? Path.Combine("results", study) : Path.Combine(runsRoot, study, scale, "report");

    private static long[] CheckSeeds(IReadOnlyList<long> seeds, StudySpec spec)
    {
        string list = string.Join(",", seeds);
        if (seeds.Count == 0 || seeds.Any(seed => !spec.Seeds.Contains(seed)))
            throw new UsageException($"--seeds '{list}': expected a comma-separated subset of the study's seeds ({string.Join(",", spec.Seeds)})");
        return seeds.Distinct().ToArray();
    }

    private static StudyRun[] CheckRuns(IReadOnlyList<string> runs, StudySpec spec)
    {
        if (runs.FirstOrDefault(name => spec.Runs.All(r => r.Name != name)) is { } unknown)
            throw new UsageException($"--only '{string.Join(",", runs)}': run '{unknown}' is not in study '{spec.Name}'; expected a comma-separated subset of {string.Join(",", spec.Runs.Select(r => r.Name))}");
        return spec.Runs.Where(r => runs.Contains(r.Name)).ToArray();
    }

    public static int PhotoMaker(string studyDir, string scale, string? results, Device device, string runsRoot, string? baseRun, string? judges, string command, TextWriter stdout)
    {
        var spec = PhotoMakerStudySpec.Load(studyDir, scale);
        results ??= DefaultResults(spec.Name, scale, runsRoot);
        var study = new PhotoMakerStudy(spec, device, runsRoot, stdout, baseRun, judges);

        // The revision of the code that trains and evaluates, read before it starts: commits made meanwhile are not it.
        string revision = GitRevision.OfRun();
        var clock = Stopwatch.StartNew();
        using var stop = new StopSignals();
        PhotoMakerStudyResults measured;
        try
        {
            study.TrainVariants(stop.Token);
            using var memory = new DeviceMemoryProbe(device.type == TorchSharp.DeviceType.CUDA);
            measured = study.Evaluate(memory, Path.Combine(results, "samples"), stop.Token);
        }
        catch (OperationCanceledException) when (stop.Requested)
        {
            stdout.WriteLine("stopped; an interrupted training run wrote a checkpoint. Run the same command again to resume (trained variants are skipped; the evaluation starts over).");
            return 130;
        }
        PhotoMakerStudyReport.Write(results, spec, measured, new StudyProvenance(command, revision, DeviceDescription.Of(device), DateTime.UtcNow, clock.Elapsed.TotalSeconds));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, table.html, spec.json, samples/)");
        return 0;
    }

    public static int Story(string studyDir, string run, string? results, Device device, string command, TextWriter stdout)
    {
        var spec = StoryStudySpec.Load(studyDir);
        results ??= Path.Combine("results", spec.Name);

        string revision = GitRevision.OfRun();
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
        StoryStudyReport.Write(results, spec, rows, scale, bench,
            new StudyProvenance(command, revision, DeviceDescription.Of(device) + $"; judged text-to-image run {trained.CheckpointPath} (step {trained.Step})", DateTime.UtcNow, clock.Elapsed.TotalSeconds));
        stdout.WriteLine($"wrote {Path.GetFullPath(results)} (README.md, metrics.csv, table.html, comics/, stories/{(bench.Count > 0 ? ", memory.png, time.png" : "")})");
        return 0;
    }
}
