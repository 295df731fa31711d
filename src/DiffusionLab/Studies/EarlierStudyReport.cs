using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.Runs;
using DiffusionLab.Training;

namespace DiffusionLab.Studies;

/// <summary>
/// An earlier report of the same study (usually the committed results/STUDY) whose finished run × seeds a new report
/// carries over where its own run folders lack them: run folders need not outlive the machine that trained them, the
/// committed report does, so a CPU study can be trained across sessions and machines. What is carried is what the
/// earlier report measured: its metrics.csv rows, its sample grids of the first seed, and where each run was measured
/// (<see cref="StudyRunSource"/>). A run × seed is carried only if the study's config of it today evaluates at exactly
/// the steps the earlier report has, to the same last step; a changed budget or schedule is refused, not mixed in.
/// </summary>
public sealed class EarlierStudyReport
{
    private EarlierStudyReport(string directory, StudyResults results, IReadOnlyList<StudyRunSource> sources) =>
        (Directory, Results, Sources) = (directory, results, sources);

    /// <summary>The earlier report's folder (its metrics.csv, samples/, sources.json or README.md).</summary>
    public string Directory { get; }

    /// <summary>Every row of the earlier report's metrics.csv.</summary>
    public StudyResults Results { get; }

    /// <summary>Where each of its run × seeds was measured.</summary>
    public IReadOnlyList<StudyRunSource> Sources { get; }

    /// <summary>Its run × seeds, in metrics.csv order.</summary>
    public IReadOnlyList<(string Run, long Seed)> Finished => Results.RunNames.SelectMany(r => Results.Seeds(r).Select(s => (r, s))).ToList();

    public static EarlierStudyReport Load(string directory, StudySpec spec, string scale)
    {
        var results = StudyResults.FromCsv(Path.Combine(directory, "metrics.csv"));
        foreach (string run in results.RunNames)
        {
            var arm = spec.Runs.FirstOrDefault(r => r.Name == run)
                ?? throw new ConfigException($"earlier study report '{directory}': run '{run}' is not in study '{spec.Name}'; expected a report of the same study");
            foreach (long seed in results.Seeds(run))
            {
                var expected = EvaluationSteps(spec.Config(arm, seed, scale).Training);
                var found = results.Evaluations(run, seed).Select(r => r.Step).Distinct().ToList();
                if (!found.SequenceEqual(expected))
                    throw new ConfigException($"earlier study report '{directory}': {run} seed {seed} was evaluated at steps {Steps(found)}, but the study's config evaluates it at {Steps(expected)} now; expected the same budget and schedule (a changed run cannot be carried over, train it again)");
            }
        }
        var finished = results.RunNames.SelectMany(r => results.Seeds(r).Select(s => (r, s))).ToList();
        var sources = StudyRunSource.Read(directory, finished);
        if (finished.FirstOrDefault(f => !sources.Any(s => s.Run == f.r && s.Seed == f.s)) is { r: not null } missing)
            throw new ConfigException($"earlier study report '{directory}': {StudyRunSource.FileName} does not say where {missing.r} seed {missing.s} was measured; expected one source per run and seed of metrics.csv");
        return new EarlierStudyReport(directory, results, sources);
    }

    /// <summary>The rows of the given run × seeds, in the study's run order.</summary>
    public StudyResults Select(StudySpec spec, IReadOnlyCollection<(string Run, long Seed)> carried) =>
        new(spec.Runs.SelectMany(r => Results.Records.Where(rec => rec.Run == r.Name && carried.Contains((rec.Run, rec.Seed)))).ToList());

    public StudyRunSource SourceOf(string run, long seed) => Sources.First(s => s.Run == run && s.Seed == seed);

    /// <summary>The steps a run of this training config evaluates at: those of its evaluation hook, the last step included.</summary>
    public static IReadOnlyList<long> EvaluationSteps(TrainingSection training)
    {
        var hook = DenoiserTraining.EvaluationHook(training, _ => { });
        var steps = new List<long>();
        for (long step = 1; step <= training.Steps; step++)
            if (hook.IsDue(step, training.Steps)) steps.Add(step);
        return steps;
    }

    private static string Steps(IReadOnlyList<long> steps) => string.Join(", ", steps.Select(s => s.ToString(CultureInfo.InvariantCulture)));
}
