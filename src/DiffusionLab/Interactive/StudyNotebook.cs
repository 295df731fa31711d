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

    /// <summary>The study of <paramref name="studyDirectory"/> (study.json and configs) with the results under <paramref name="resultsDirectory"/>.</summary>
    public static StudyNotebook Load(string studyDirectory, string resultsDirectory) =>
        new(StudySpec.Load(studyDirectory), StudyResults.FromCsv(Path.Combine(resultsDirectory, "metrics.csv")), resultsDirectory, []);

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

    public string SamplesHtml() => StudyDisplay.SamplesHtml(Spec, ResultsDirectory ?? throw new InvalidOperationException("a live run has no committed sample grids"));

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
            $"Training.SampleEvery={steps}", $"Training.LogEvery={Math.Max(1, steps / 10)}", $"Evaluation.NumSamples={evalSamples}", "Sampling.GridSamples=20"]);
        var folders = new StudyRunner(live, "notebook", device ?? CPU, runsRoot, log ?? Console.Out).RunAll();
        return new StudyNotebook(live, StudyResults.FromRunFolders(folders), null, folders.Select(f => f.Folder).ToList());
    }
}
