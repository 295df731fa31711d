using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.Runs;
using DiffusionLab.Training;

namespace DiffusionLab.Studies;

/// <summary>
/// Earlier reports (usually the committed results/STUDY) whose finished run × seeds a new report carries over where
/// its own run folders lack them: run folders need not outlive the machine that trained them, the committed report
/// does, so a CPU study can be trained across sessions and machines. Each report is of the same study, or of a study
/// that one of this study's runs shares (<see cref="StudyRun.Shares"/>: an ablation's full model is a convergence
/// study's run), whose rows of that run are carried under this study's name for it. What is carried is what the
/// earlier report measured: its metrics.csv rows, its sample grids of the first seed, and where each run was measured
/// (<see cref="StudyRunSource"/>). A run × seed is carried only if the study's config of it today evaluates at exactly
/// the steps the earlier report has, to the same last step; a changed budget or schedule is refused, not mixed in.
/// </summary>
public sealed class EarlierStudyReport
{
    /// <summary>Where a carried run's rows, grids and sources lie: the report folder and the run's name in it.</summary>
    private readonly IReadOnlyDictionary<string, (string Directory, string NameThere)> _origins;

    private EarlierStudyReport(StudyResults results, IReadOnlyList<StudyRunSource> sources, IReadOnlyDictionary<string, (string, string)> origins) =>
        (Results, Sources, _origins) = (results, sources, origins);

    /// <summary>Every carried row, under this study's run names.</summary>
    public StudyResults Results { get; }

    /// <summary>Where each of its run × seeds was measured, under this study's run names.</summary>
    public IReadOnlyList<StudyRunSource> Sources { get; }

    /// <summary>Its run × seeds, in metrics.csv order.</summary>
    public IReadOnlyList<(string Run, long Seed)> Finished => Results.RunNames.SelectMany(r => Results.Seeds(r).Select(s => (r, s))).ToList();

    /// <summary>
    /// Reads each report folder: one of <paramref name="spec"/>'s own study (the study a report is of is the title of
    /// its README, "# NAME"), or of a study one of its runs shares. A run two reports both have is refused.
    /// </summary>
    public static EarlierStudyReport Load(IReadOnlyList<string> directories, StudySpec spec, string scale)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var records = new List<StudyRecord>();
        var sources = new List<StudyRunSource>();
        var origins = new Dictionary<string, (string, string)>();
        foreach (string directory in directories)
        {
            var results = StudyResults.FromCsv(Path.Combine(directory, "metrics.csv"));
            // This study's name for each run of the report; runs of another study that nothing here shares are not read.
            var here = RunsHere(directory, results, spec);
            foreach (var (there, run) in here)
            {
                if (origins.TryGetValue(run, out var other))
                    throw new ConfigException($"earlier study reports '{other.Item1}' and '{directory}' both have run '{run}'; expected each run in one of them");
                var arm = spec.Runs.Single(r => r.Name == run);
                foreach (long seed in results.Seeds(there))
                {
                    var expected = EvaluationSteps(spec.Config(arm, seed, scale).Training);
                    var found = results.Evaluations(there, seed).Select(r => r.Step).Distinct().ToList();
                    if (!found.SequenceEqual(expected))
                        throw new ConfigException($"earlier study report '{directory}': {there} seed {seed} was evaluated at steps {Steps(found)}, but the study's config evaluates {(there == run ? "it" : $"{run} ({there} there)")} at {Steps(expected)} now; expected the same budget and schedule (a changed run cannot be carried over, train it again)");
                }
                origins[run] = (directory, there);
                records.AddRange(results.Records.Where(r => r.Run == there).Select(r => r with { Run = run }));
            }
            var finished = here.Keys.SelectMany(r => results.Seeds(r).Select(s => (r, s))).ToList();
            var read = StudyRunSource.Read(directory, finished);
            if (finished.FirstOrDefault(f => !read.Any(s => s.Run == f.r && s.Seed == f.s)) is { r: not null } missing)
                throw new ConfigException($"earlier study report '{directory}': {StudyRunSource.FileName} does not say where {missing.r} seed {missing.s} was measured; expected one source per run and seed of metrics.csv");
            sources.AddRange(read.Where(s => here.ContainsKey(s.Run)).Select(s => s with { Run = here[s.Run] }));
        }
        var ordered = records.OrderBy(r => Array.FindIndex(spec.Runs, s => s.Name == r.Run)).ThenBy(r => r.Seed).ToList();
        return new EarlierStudyReport(new StudyResults(ordered), sources, origins);
    }

    /// <summary>The report's runs that this study has, each with this study's name for it (there → here).</summary>
    private static Dictionary<string, string> RunsHere(string directory, StudyResults results, StudySpec spec)
    {
        string study = StudyOf(directory);
        if (study == spec.Name)
        {
            foreach (string run in results.RunNames)
                if (spec.Runs.All(r => r.Name != run))
                    throw new ConfigException($"earlier study report '{directory}': run '{run}' is not in study '{spec.Name}'; expected a report of the same study");
            return results.RunNames.ToDictionary(r => r, r => r);
        }
        var shares = spec.Runs.Select(r => (Here: r.Name, There: spec.SharedRun(r))).Where(s => s.There is not null).ToList();
        var shared = shares.Where(s => s.There!.Value.Study.Name == study).ToDictionary(s => s.There!.Value.Run.Name, s => s.Here);
        if (shared.Count == 0)
            throw new ConfigException($"earlier study report '{directory}' is of study '{study}'; expected a report of '{spec.Name}' or of a study one of its runs shares ({string.Join(", ", shares.Select(s => s.There!.Value.Study.Name).Distinct().DefaultIfEmpty("none"))})");
        return shared.Where(s => results.RunNames.Contains(s.Key)).ToDictionary();
    }

    /// <summary>The study a report folder is of: its README's title ("# NAME", as <see cref="StudyReport"/> writes it), else the folder's name.</summary>
    private static string StudyOf(string directory)
    {
        string readme = Path.Combine(directory, "README.md");
        string? title = File.Exists(readme) ? File.ReadLines(readme).FirstOrDefault() : null;
        return title is not null && title.StartsWith("# ", StringComparison.Ordinal) ? title[2..].Trim()
            : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
    }

    /// <summary>The rows of the given run × seeds, in the study's run order.</summary>
    public StudyResults Select(StudySpec spec, IReadOnlyCollection<(string Run, long Seed)> carried) =>
        new(spec.Runs.SelectMany(r => Results.Records.Where(rec => rec.Run == r.Name && carried.Contains((rec.Run, rec.Seed)))).ToList());

    public StudyRunSource SourceOf(string run, long seed) => Sources.First(s => s.Run == run && s.Seed == seed);

    /// <summary>The samples folder of the report a carried run comes from, and the run's name in its grid files (<see cref="StudyGridFiles"/>).</summary>
    public (string SamplesDirectory, string NameThere) GridsOf(string run) =>
        _origins.TryGetValue(run, out var origin) ? (Path.Combine(origin.Directory, "samples"), origin.NameThere)
            : throw new ArgumentException($"run '{run}' is not carried by the earlier reports", nameof(run));

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
