using System.Globalization;
using System.Text;

namespace DiffusionLab.Studies;

/// <summary>
/// One rung of the ladder: the FD each seed of the baseline has at a fraction of its budget (its own curve, interpolated
/// between evaluations), so that every seed of a run is measured against the baseline's run of the same seed.
/// </summary>
public sealed record LadderTarget(double Fraction, double BaselineStep, IReadOnlyDictionary<long, double> FdBySeed)
{
    /// <summary>The mean of the seeds' targets, for a heading.</summary>
    public double MeanFd => FdBySeed.Values.Average();
}

/// <summary>One seed's way to a target: interpolated steps and seconds, or null where it never got there.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Steps">Steps to the target, interpolated between evaluations; null: never reached.</param>
/// <param name="Seconds">Training seconds to the target, likewise.</param>
/// <param name="AtFirstEvaluation">Already at or below the target at its first evaluation: the steps are then only an upper bound.</param>
public sealed record LadderReach(long Seed, double? Steps, double? Seconds, bool AtFirstEvaluation)
{
    public bool Reached => Steps is not null;
}

/// <summary>A run at one target: every seed, and the speed-up over the baseline paired by seed (baseline steps ÷ run steps).</summary>
public sealed record LadderCell(string Run, string Label, LadderTarget Target, IReadOnlyList<LadderReach> Seeds, IReadOnlyList<double> PairedSpeedups)
{
    public int ReachedCount => Seeds.Count(s => s.Reached);
    public bool AllReached => Seeds.Count > 0 && Seeds.All(s => s.Reached);
    public bool AnyBound => Seeds.Any(s => s.AtFirstEvaluation);
    public double? MeanSteps => AllReached ? Seeds.Average(s => s.Steps!.Value) : null;
    public double? MeanSeconds => AllReached ? Seeds.Average(s => s.Seconds!.Value) : null;
    public double? StepsSd => AllReached ? ConvergenceLadder.Sd(Seeds.Select(s => s.Steps!.Value).ToList()) : null;
    public double? MeanSpeedup => PairedSpeedups.Count > 0 && PairedSpeedups.Count == Seeds.Count ? PairedSpeedups.Average() : null;
    /// <summary>Standard error of the mean paired speed-up (n − 1 in the variance).</summary>
    public double? SpeedupSe => MeanSpeedup is not null && PairedSpeedups.Count > 1 ? ConvergenceLadder.Sd(PairedSpeedups) / Math.Sqrt(PairedSpeedups.Count) : null;
}

/// <summary>
/// The target ladder of a convergence study: for each seed, the FDs the baseline's run of that seed reaches at 10 %, 25 %,
/// 50 % and 100 % of its budget (linearly interpolated between evaluations), and for every run the steps and seconds its
/// run of the same seed needs to reach them (the first crossing, interpolated between the evaluation before and the one
/// at or below the target). Per-seed targets rather than the mean curve's: against a mean final FD, the baseline's own
/// worse seed never reaches its own 100 % rung, and the top of the ladder is undecided. Speed-ups are paired by seed,
/// so seed-to-seed spread in the data order and the initial weights cancels as far as the seeds share them. A seed
/// already below a target at its first evaluation is a bound, and the table says so; a seed that never gets there is
/// "not reached", never a number; a seed the baseline lacks has no target and is left out.
/// </summary>
public sealed class ConvergenceLadder
{
    public static IReadOnlyList<double> DefaultFractions { get; } = [0.10, 0.25, 0.50, 1.00];

    private ConvergenceLadder(string baseline, IReadOnlyList<LadderTarget> targets, IReadOnlyList<LadderCell> cells)
    {
        Baseline = baseline;
        Targets = targets;
        Cells = cells;
    }

    public string Baseline { get; }
    public IReadOnlyList<LadderTarget> Targets { get; }
    public IReadOnlyList<LadderCell> Cells { get; }

    public LadderCell this[string run, double fraction] => Cells.Single(c => c.Run == run && c.Target.Fraction == fraction);

    public static ConvergenceLadder Of(StudySpec spec, StudyResults results, IReadOnlyList<double>? fractions = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        fractions ??= DefaultFractions;
        var baseCurves = results.Seeds(spec.Baseline).ToDictionary(seed => seed, seed => results.FdCurve(spec.Baseline, seed));
        var targets = new List<LadderTarget>();
        if (baseCurves.Count > 0 && baseCurves.Values.All(c => c.Count > 0))
        {
            // The budget is the baseline's last evaluated step; a seed that stopped short (an interim report) is read at its end.
            long budget = baseCurves.Values.Max(c => c[^1].Step);
            foreach (double f in fractions)
                targets.Add(new LadderTarget(f, f * budget, baseCurves.ToDictionary(b => b.Key, b => FdAt(b.Value, f * budget))));
        }
        var cells = new List<LadderCell>();
        foreach (var run in spec.Runs)
            foreach (var target in targets)
            {
                var seeds = results.Seeds(run.Name).Where(target.FdBySeed.ContainsKey)
                    .Select(seed => ReachOf(results, run.Name, seed, target.FdBySeed[seed])).ToList();
                var speedups = new List<double>();
                foreach (var reach in seeds)
                {
                    if (reach.Steps is not { } steps || steps <= 0) continue;
                    var baseReach = ReachOf(results, spec.Baseline, reach.Seed, target.FdBySeed[reach.Seed]);
                    if (baseReach.Steps is { } baseSteps) speedups.Add(baseSteps / steps);
                }
                cells.Add(new LadderCell(run.Name, run.DisplayLabel, target, seeds, speedups));
            }
        return new ConvergenceLadder(spec.Baseline, targets, cells);
    }

    private static LadderReach ReachOf(StudyResults results, string run, long seed, double target)
    {
        var curve = results.FdCurve(run, seed);
        var reach = StudyResults.FirstReach(curve, target);
        return new LadderReach(seed, reach?.Steps, reach?.WallSeconds, reach is not null && curve.Count > 0 && curve[0].Fd <= target);
    }

    /// <summary>A curve's FD at a step, linearly interpolated (the first or last value outside the curve).</summary>
    private static double FdAt(IReadOnlyList<(long Step, double WallSeconds, double Fd)> curve, double step)
    {
        if (step <= curve[0].Step) return curve[0].Fd;
        for (int i = 1; i < curve.Count; i++)
            if (step <= curve[i].Step)
            {
                double f = (step - curve[i - 1].Step) / (curve[i].Step - curve[i - 1].Step);
                return curve[i - 1].Fd + f * (curve[i].Fd - curve[i - 1].Fd);
            }
        return curve[^1].Fd;
    }

    /// <summary>The ladder as a Markdown table: one row per run and target, each seed's steps, the mean and spread, seconds, the paired speed-up.</summary>
    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| target (the baseline's FD per seed) | run | steps per seed | mean steps ± SD | mean seconds | speed-up over the baseline (paired by seed, mean ± SE) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var target in Targets)
            foreach (var cell in Cells.Where(c => c.Target == target))
            {
                string perSeed = string.Join(" / ", cell.Seeds.Select(s => s.Steps is { } v ? (s.AtFirstEvaluation ? "≤ " : "") + F(v, "F0") : "not reached"));
                string mean = cell.MeanSteps is { } m ? $"{(cell.AnyBound ? "≤ " : "")}{F(m, "F0")} ± {F(cell.StepsSd ?? 0, "F0")}"
                    : $"not reached by {cell.Seeds.Count - cell.ReachedCount} of {cell.Seeds.Count} seeds";
                string seconds = cell.MeanSeconds is { } sec ? F(sec, "F0") : "–";
                string speedup = cell.MeanSpeedup is { } su ? $"{(cell.AnyBound ? "≥ " : "")}{F(su, "F2")}×{(cell.SpeedupSe is { } se ? $" ± {F(se, "F2")}" : "")} ({string.Join(" / ", cell.PairedSpeedups.Select(x => F(x, "F2")))})"
                    : cell.Run == Baseline ? "1×" : "–";
                string fds = string.Join(" / ", cell.Seeds.Select(s => F(target.FdBySeed[s.Seed], "F1")));
                sb.AppendLine($"| {F(target.Fraction * 100, "F0")} % of the budget (step {F(target.BaselineStep, "F0")}): FD {fds} | {cell.Label} | {perSeed} | {mean} | {seconds} | {speedup} |");
            }
        return sb.ToString();
    }

    /// <summary>Sample standard deviation (n − 1); 0 for fewer than two values.</summary>
    internal static double Sd(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>Shared arithmetic of the ladder's cells.</summary>
internal static class Ladder
{
    public static double Sd(IReadOnlyList<double> values) => ConvergenceLadder.Sd(values);
}
