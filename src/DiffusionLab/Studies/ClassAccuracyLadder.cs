using System.Globalization;
using System.Text;

namespace DiffusionLab.Studies;

/// <summary>A run at one class-accuracy threshold: every seed's way there, and the speed-up over the baseline paired by seed.</summary>
public sealed record AccuracyCell(string Run, string Label, double Threshold, IReadOnlyList<LadderReach> Seeds, IReadOnlyList<double> PairedSpeedups)
{
    public bool AllReached => Seeds.Count > 0 && Seeds.All(s => s.Reached);
    public double? MeanSteps => AllReached ? Seeds.Average(s => s.Steps!.Value) : null;
    public double? MeanSeconds => AllReached ? Seeds.Average(s => s.Seconds!.Value) : null;
    public double? MeanSpeedup => PairedSpeedups.Count > 0 && PairedSpeedups.Count == Seeds.Count ? PairedSpeedups.Average() : null;
    public double? SpeedupSe => MeanSpeedup is not null && PairedSpeedups.Count > 1 ? ConvergenceLadder.Sd(PairedSpeedups) / Math.Sqrt(PairedSpeedups.Count) : null;
}

/// <summary>
/// When the models start to draw the asked-for digits: for every run and seed, the steps and seconds until the MNIST
/// judge's class accuracy on its samples first reaches each threshold (interpolated between evaluations, like the FD
/// ladder), with speed-ups paired by seed against the baseline. FD can fall while the samples are still class-blind
/// strokes; this ladder counts only digits of the asked-for class. A convergence study's stop condition (the baseline
/// draws its digits, class accuracy ≥ 0.9) is its top rung.
/// </summary>
public sealed class ClassAccuracyLadder
{
    public static IReadOnlyList<double> DefaultThresholds { get; } = [0.5, 0.9];

    private ClassAccuracyLadder(string baseline, IReadOnlyList<AccuracyCell> cells) { Baseline = baseline; Cells = cells; }

    public string Baseline { get; }
    public IReadOnlyList<AccuracyCell> Cells { get; }

    public AccuracyCell this[string run, double threshold] => Cells.Single(c => c.Run == run && c.Threshold == threshold);

    /// <summary>The ladder, or null when no evaluation carries a class accuracy (datasets without a class judge).</summary>
    public static ClassAccuracyLadder? Of(StudySpec spec, StudyResults results, IReadOnlyList<double>? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        if (!results.Records.Any(r => r.Fd is not null && r.ClassAccuracy is not null)) return null;
        thresholds ??= DefaultThresholds;
        var cells = new List<AccuracyCell>();
        foreach (var run in spec.Runs)
            foreach (double threshold in thresholds)
            {
                var seeds = results.Seeds(run.Name).Select(seed => ReachOf(results, run.Name, seed, threshold)).ToList();
                var speedups = new List<double>();
                foreach (var reach in seeds)
                    if (reach.Steps is { } steps && steps > 0 && ReachOf(results, spec.Baseline, reach.Seed, threshold).Steps is { } baseSteps)
                        speedups.Add(baseSteps / steps);
                cells.Add(new AccuracyCell(run.Name, run.DisplayLabel, threshold, seeds, speedups));
            }
        return new ClassAccuracyLadder(spec.Baseline, cells);
    }

    /// <summary>One seed's first crossing of the threshold: the FD ladder's interpolation, on the negated accuracy (higher is better).</summary>
    private static LadderReach ReachOf(StudyResults results, string run, long seed, double threshold)
    {
        var curve = results.Evaluations(run, seed).Where(r => r.ClassAccuracy is not null)
            .Select(r => (r.Step, r.WallSeconds, -r.ClassAccuracy!.Value)).ToList();
        var reach = StudyResults.FirstReach(curve, -threshold);
        return new LadderReach(seed, reach?.Steps, reach?.WallSeconds, reach is not null && curve[0].Item3 <= -threshold);
    }

    /// <summary>Whether every seed of the baseline reached <paramref name="threshold"/>, and the sentence that says so.</summary>
    public (bool Met, string Sentence) StopCondition(string baselineLabel, double threshold, IReadOnlyList<double> finalAccuracies)
    {
        var cell = this[Baseline, threshold];
        string finals = string.Join(" / ", finalAccuracies.Select(a => F(a, "F3")));
        if (cell.AllReached)
            return (true, $"{baselineLabel} draws the asked-for digits: class accuracy ≥ {F(threshold, "G2")} reached by every seed (at steps {string.Join(" / ", cell.Seeds.Select(s => F(s.Steps!.Value, "F0")))}), final {finals}.");
        int missing = cell.Seeds.Count(s => !s.Reached);
        return (false, $"{baselineLabel} does not yet draw the asked-for digits: {missing} of {cell.Seeds.Count} seeds never reached class accuracy {F(threshold, "G2")} (final {finals}), so FD targets below compare samples that are not all digits.");
    }

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| class accuracy | run | steps per seed | mean steps | mean seconds | speed-up over the baseline (paired by seed, mean ± SE) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (double threshold in Cells.Select(c => c.Threshold).Distinct())
            foreach (var cell in Cells.Where(c => c.Threshold == threshold))
            {
                bool bound = cell.Seeds.Any(s => s.AtFirstEvaluation);
                string perSeed = string.Join(" / ", cell.Seeds.Select(s => s.Steps is { } v ? (s.AtFirstEvaluation ? "≤ " : "") + F(v, "F0") : "not reached"));
                string mean = cell.MeanSteps is { } m ? (bound ? "≤ " : "") + F(m, "F0") : $"not reached by {cell.Seeds.Count(s => !s.Reached)} of {cell.Seeds.Count} seeds";
                string speedup = cell.MeanSpeedup is { } su ? $"{(bound ? "≥ " : "")}{F(su, "F2")}×{(cell.SpeedupSe is { } se ? $" ± {F(se, "F2")}" : "")} ({string.Join(" / ", cell.PairedSpeedups.Select(x => F(x, "F2")))})"
                    : cell.Run == Baseline ? "1×" : "–";
                sb.AppendLine($"| ≥ {F(threshold, "G2")} | {cell.Label} | {perSeed} | {mean} | {(cell.MeanSeconds is { } sec ? F(sec, "F0") : "–")} | {speedup} |");
            }
        return sb.ToString();
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
