namespace DiffusionLab.Studies;

/// <summary>
/// A second ladder in a study's report: some of its runs against another of its runs instead of the study's baseline,
/// e.g. the papers' recipes against DiT under its own paper's recipe, so the report separates the architecture's
/// share of a speed-up (the baseline's ladder, one matched recipe) from the recipe's (this one).
/// </summary>
public sealed record StudyComparison
{
    /// <summary>The section's heading.</summary>
    public string Title { get; init; } = "";
    /// <summary>The run whose FDs at 10, 25, 50 and 100 % of its budget are the rungs.</summary>
    public string Baseline { get; init; } = "";
    /// <summary>The runs measured against it.</summary>
    public string[] Runs { get; init; } = [];

    /// <summary>
    /// The study narrowed to this comparison's runs that <paramref name="results"/> has, at the seeds its baseline has,
    /// with its baseline as the study's; null where the baseline or every other run is missing (an interim report).
    /// </summary>
    public StudySpec? Of(StudySpec spec, StudyResults results)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        var runs = Runs.Prepend(Baseline).Where(r => spec.Runs.Any(s => s.Name == r) && results.RunNames.Contains(r)).ToList();
        var seeds = spec.Seeds.Where(s => results.Seeds(Baseline).Contains(s)).ToList();
        if (!runs.Contains(Baseline) || runs.Count < 2 || seeds.Count == 0) return null;
        return (spec with { Baseline = Baseline }).Select(runs, seeds);
    }
}
