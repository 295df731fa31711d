namespace DiffusionLab.Studies;

/// <summary>One arm of a study, summarised: its final FD over seeds and how fast it reached the baseline's final FD.</summary>
public sealed record StudySummaryRow(
    StudyRun Run,
    string Label,
    long? FinalStep,
    IReadOnlyList<double> FinalFds,
    double? MeanFinalFd,
    double? ClassAccuracy,
    (double Steps, double WallSeconds)? ToTarget,
    double? StepSpeedup,
    double? WallClockSpeedup,
    bool ReachedAtFirstEvaluation = false)
{
    /// <summary>"≥ " where the run was past the target at its first evaluation: the grid bounds its speed-up, which is then a lower bound.</summary>
    public string Bound => ReachedAtFirstEvaluation ? "≥ " : "";
}

/// <summary>
/// The numbers a study's README and its notebook show, computed once from its results: per run the
/// final FD of each seed and their mean, the class accuracy, and the steps and seconds the mean FD
/// curve needs to reach the baseline's final mean FD (linearly interpolated between evaluations),
/// as a speed-up over the baseline.
/// </summary>
public sealed record StudySummary(StudyRun Baseline, string BaselineLabel, double? Target, IReadOnlyList<StudySummaryRow> Rows)
{
    public static StudySummary Of(StudySpec spec, StudyResults results)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        var baseFinals = results.FinalFds(spec.Baseline);
        double? target = baseFinals.Count > 0 ? baseFinals.Average() : null;
        var baseReach = target is { } t ? results.Reach(spec.Baseline, t) : null;
        var rows = spec.Runs.Select(run =>
        {
            var curve = results.MeanFdCurve(run.Name);
            var finals = results.FinalFds(run.Name);
            var reach = target is { } tt ? results.Reach(run.Name, tt) : null;
            return new StudySummaryRow(run, run.DisplayLabel,
                curve.Count > 0 ? curve[^1].Step : null,
                finals,
                finals.Count > 0 ? finals.Average() : null,
                results.FinalClassAccuracy(run.Name),
                reach,
                reach is { } r && baseReach is { } b ? b.Steps / r.Steps : null,
                reach is { } r2 && baseReach is { } b2 && r2.WallSeconds > 0 ? b2.WallSeconds / r2.WallSeconds : null,
                run.Name != spec.Baseline && reach is { } r3 && curve.Count > 0 && r3.Steps <= curve[0].Step);
        }).ToList();
        var baseline = spec.Runs.Single(r => r.Name == spec.Baseline);
        return new StudySummary(baseline, baseline.DisplayLabel, target, rows);
    }

    public StudySummaryRow this[string run] => Rows.Single(r => r.Run.Name == run);

    /// <summary>How a run's measured step speed-up reads against the paper's claim (or its final FD where it makes none).</summary>
    public string Verdict(StudySummaryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Run.ClaimedSpeedup is not { } claim) return "";
        if (row.ReachedAtFirstEvaluation && row.StepSpeedup is { } bound && bound < claim)
            return "undecided: the target was already passed at the first evaluation, so the speed-up is only known to be at least the value shown; evaluate earlier to decide";
        return row.StepSpeedup is not { } s || s <= 1 ? "not reproduced at this scale"
            : s >= claim ? "reproduced at this scale"
            : "partly reproduced (faster than the baseline, less than claimed)";
    }
}
