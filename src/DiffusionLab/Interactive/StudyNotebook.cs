using DiffusionLab.Studies;
using Plotly.NET;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>
/// A study in a notebook (02 convergence, 03 position-encoding ablation): its spec with the committed results
/// and their summary, the figures and tables those notebooks show, and a short live re-run of some of its runs.
/// The cells the study notebooks share are calls on this one object.
/// </summary>
public sealed class StudyNotebook
{
    private StudyNotebook(StudySpec spec, StudyResults results, string? resultsDirectory, IReadOnlyList<string> runFolders)
    {
        Spec = spec;
        Results = results;
        Summary = StudySummary.Of(spec, results);
        ResultsDirectory = resultsDirectory;
        RunFolders = runFolders;
    }

    public StudySpec Spec { get; }
    public StudyResults Results { get; }
    public StudySummary Summary { get; }

    /// <summary>The committed results folder (metrics.csv, samples/); null for a live run.</summary>
    public string? ResultsDirectory { get; }

    /// <summary>The run folders of a live run (empty for committed results, whose runs are not in the repository).</summary>
    public IReadOnlyList<string> RunFolders { get; }

    /// <summary>
    /// The study of <paramref name="studyDirectory"/> (study.json and configs) with the results under <paramref name="resultsDirectory"/>;
    /// an interim report's results (<c>difflab study report --partial</c>) narrow the study to the runs and seeds they have.
    /// </summary>
    public static StudyNotebook Load(string studyDirectory, string resultsDirectory)
    {
        var spec = StudySpec.Load(studyDirectory);
        var results = StudyResults.FromCsv(Path.Combine(resultsDirectory, "metrics.csv"));
        var runs = spec.Runs.Select(r => r.Name).Where(results.RunNames.Contains).ToList();
        var seeds = spec.Seeds.Where(s => runs.Any(r => results.Seeds(r).Contains(s))).ToList();
        if (runs.Count < spec.Runs.Length || seeds.Count < spec.Seeds.Length) spec = spec.Select(runs, seeds);
        return new(spec, results, resultsDirectory, []);
    }

    /// <summary>What was loaded: runs, seeds, rows, and the study's own description.</summary>
    public string Description =>
        $"{Spec.Name}: {Spec.Runs.Length} runs x {Spec.Seeds.Length} seeds, {Results.Records.Count} rows"
        + (ResultsDirectory is null ? " from a live run" : $" from {ResultsDirectory}/metrics.csv") + "\n" + Spec.Description;

    /// <summary>Mean FD over seeds against steps and wall-clock, each seed's points around it (interactive).</summary>
    public GenericChart FdChart(int height = 480) => StudyDisplay.FdChart(Spec, Results, height);

    /// <summary>The same curves as a static PNG, base64 (results/&lt;study&gt;/curves.png or curves-wallclock.png).</summary>
    public string FdCurvesPng(bool wallClock = false) => StudyDisplay.FdCurvesPng(Spec, Results, wallClock);

    public string FinalTableHtml() => StudyDisplay.FinalTableHtml(Summary);

    public string SpeedupTableHtml() => StudyDisplay.SpeedupTableHtml(Summary);

    public string AblationTableHtml() => StudyDisplay.AblationTableHtml(Summary);

    /// <summary>
    /// The study README's ladders as Markdown, for <c>.DisplayAs("text/markdown")</c>: steps per seed to the FDs the
    /// baseline reaches at 10 %, 25 %, 50 % and 100 % of its budget, and to class accuracy 0.5 and 0.9 (the latter only
    /// where the evaluations carry a class accuracy); then the same against the baselines of study.json's Comparisons.
    /// </summary>
    public string LaddersMarkdown() =>
        ConvergenceLadder.Of(Spec, Results).Markdown() + (ClassAccuracyLadder.Of(Spec, Results) is { } digits ? "\n" + digits.Markdown() : "")
        + StudyReport.ComparisonsMarkdown(Spec, Results);

    /// <summary>
    /// The study README's paired differences as Markdown: each run's final FD and class accuracy minus the baseline's
    /// at the same seed, mean ± SE and the 95 % t-interval (<see cref="PairedDifferences"/>).
    /// </summary>
    public string PairedDifferencesMarkdown() => PairedDifferences.Markdown(Spec, Results);

    /// <summary>
    /// A metric's mean over seeds against steps as a PNG, base64 (results/&lt;study&gt;/class-accuracy.png for
    /// "class_accuracy", probe-label-follow.png for "probe_label_follow_t600"); null where no evaluation has it.
    /// </summary>
    public string? MetricCurvePng(string metric) =>
        StudyFigures.LearningPng(Spec, Results, metric) is { } png ? Convert.ToBase64String(png) : null;

    public string SamplesHtml() => StudyDisplay.SamplesHtml(Spec, ResultsDirectory ?? throw new InvalidOperationException("a live run has no committed sample grids"));

    /// <summary>The committed grids of every run at matched training steps, a row per run (<see cref="StudyDisplay.SamplesOverTrainingHtml"/>).</summary>
    public string SamplesOverTrainingHtml(int width = 200) =>
        StudyDisplay.SamplesOverTrainingHtml(Spec, ResultsDirectory ?? throw new InvalidOperationException("a live run has no committed sample grids"), width);

    /// <summary>
    /// Trains <paramref name="runs"/> (the baseline among them) at one seed for <paramref name="steps"/> steps,
    /// FD every quarter, into <c>runsRoot/&lt;study&gt;/notebook/</c> (resumable, like <c>difflab study run</c>),
    /// and returns them as a study of their own.
    /// </summary>
    public StudyNotebook TrainLive(int steps, IReadOnlyCollection<string> runs, long seed, int evalSamples, string runsRoot, Device? device = null, TextWriter? log = null)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "expected at least one step");
        int quarter = Math.Max(1, steps / 4);
        var live = Spec.Select(runs, [seed]).WithScale("notebook", [
            $"Training.Steps={steps}", $"Training.EvaluateEvery={quarter}", $"Training.CheckpointEvery={quarter}",
            $"Training.SampleEvery={steps}", $"Training.LogEvery={Math.Max(1, steps / 10)}", "Training.EvaluateAt=[]",
            $"Evaluation.NumSamples={evalSamples}", $"Evaluation.FinalNumSamples={evalSamples}", "Sampling.GridSamples=20"]);
        var folders = new StudyRunner(live, "notebook", device ?? CPU, runsRoot, log ?? Console.Out).RunAll();
        return new StudyNotebook(live, StudyResults.FromRunFolders(folders), null, folders.Select(f => f.Folder).ToList());
    }
}
