using System.Globalization;
using System.Text;

namespace DiffusionLab.Studies;

/// <summary>One run's final metric minus the baseline's, seed by seed, with the mean, its standard error and a 95 % interval.</summary>
/// <param name="Run">The run's name in the study.</param>
/// <param name="Label">Its label in tables.</param>
/// <param name="Metric">"fd" or "class_accuracy".</param>
/// <param name="Seeds">Each shared seed's difference (run − baseline) at the last step both evaluated.</param>
public sealed record PairedDifference(string Run, string Label, string Metric, IReadOnlyList<(long Seed, double Difference)> Seeds)
{
    public double Mean => Seeds.Average(s => s.Difference);
    /// <summary>Standard error of the mean difference (n − 1 in the variance); null for one seed.</summary>
    public double? Se => Seeds.Count > 1 ? ConvergenceLadder.Sd(Seeds.Select(s => s.Difference).ToList()) / Math.Sqrt(Seeds.Count) : null;
    /// <summary>Half-width of the 95 % interval of the mean (Student's t with n − 1 degrees of freedom); null for one seed.</summary>
    public double? HalfWidth95 => Se is { } se ? se * PairedDifferences.StudentT975(Seeds.Count - 1) : null;
    /// <summary>+1: the interval lies above 0; −1: below; 0: it holds 0, or one seed cannot tell.</summary>
    public int Sign => HalfWidth95 is { } h && Math.Abs(Mean) > h ? Math.Sign(Mean) : 0;

    /// <summary>The most seeds <see cref="SeedsToDecide"/> looks at; beyond it the table says "more than".</summary>
    public const int MaxSeedsToDecide = 1000;

    /// <summary>
    /// For a difference not distinguishable yet: the fewest seeds at which the 95 % interval of a mean and spread like
    /// these would exclude 0 (a plug-in estimate: were the true difference this mean, about half of such studies would
    /// decide it), or <see cref="MaxSeedsToDecide"/> + 1 when even that many would not. Null for one seed, for a
    /// decided difference, and for a mean of exactly 0.
    /// </summary>
    public int? SeedsToDecide
    {
        get
        {
            if (Seeds.Count < 2 || Sign != 0 || Mean == 0) return null;
            double sd = ConvergenceLadder.Sd(Seeds.Select(s => s.Difference).ToList());
            for (int n = Seeds.Count; n <= MaxSeedsToDecide; n++)
                if (PairedDifferences.StudentT975(n - 1) * sd / Math.Sqrt(n) < Math.Abs(Mean)) return n;
            return MaxSeedsToDecide + 1;
        }
    }
}

/// <summary>
/// The paired differences of an ablation (or any study) against its baseline: for every run, its final FD and class
/// accuracy minus the baseline's at the same seed (same data order and initial noise as far as the seeds share them),
/// the mean over seeds, its standard error and a 95 % t-interval. A difference whose interval holds 0 is reported as
/// not distinguishable at that number of seeds, never as an effect.
/// </summary>
public static class PairedDifferences
{
    public static IReadOnlyList<PairedDifference> Of(StudySpec spec, StudyResults results, string metric)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        Func<StudyRecord, double?> value = metric switch
        {
            "fd" => r => r.Fd,
            "class_accuracy" => r => r.ClassAccuracy,
            _ => throw new ArgumentException($"metric '{metric}': expected fd or class_accuracy", nameof(metric)),
        };
        var differences = new List<PairedDifference>();
        foreach (var run in spec.Runs.Where(r => r.Name != spec.Baseline))
        {
            var seeds = new List<(long, double)>();
            foreach (long seed in results.Seeds(run.Name).Intersect(results.Seeds(spec.Baseline)))
            {
                var mine = results.Evaluations(run.Name, seed).Where(r => value(r) is not null).ToDictionary(r => r.Step);
                var theirs = results.Evaluations(spec.Baseline, seed).Where(r => value(r) is not null).ToDictionary(r => r.Step);
                var shared = mine.Keys.Intersect(theirs.Keys).ToList();
                if (shared.Count == 0) continue;
                long last = shared.Max();
                seeds.Add((seed, value(mine[last])!.Value - value(theirs[last])!.Value));
            }
            if (seeds.Count > 0) differences.Add(new PairedDifference(run.Name, run.DisplayLabel, metric, seeds));
        }
        return differences;
    }

    /// <summary>
    /// The table of FD and class-accuracy differences, one row per run (class accuracy only where evaluated); lower FD
    /// and higher class accuracy are better.
    /// </summary>
    public static string Markdown(StudySpec spec, StudyResults results)
    {
        var fd = Of(spec, results, "fd");
        var accuracy = Of(spec, results, "class_accuracy").ToDictionary(d => d.Run);
        var sb = new StringBuilder();
        sb.AppendLine("| run | ΔFD per seed | mean ΔFD ± SE [95 % interval] | Δ class accuracy per seed | mean ± SE [95 % interval] | reading |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var d in fd)
        {
            var a = accuracy.GetValueOrDefault(d.Run);
            sb.AppendLine($"| {d.Label} | {PerSeed(d, "F2")} | {Summary(d, "F2")} | {(a is null ? "–" : PerSeed(a, "F3"))} | {(a is null ? "–" : Summary(a, "F3"))} | {Reading(d, a)} |");
        }
        return sb.ToString();
    }

    private static string PerSeed(PairedDifference d, string format) => string.Join(" / ", d.Seeds.Select(s => Signed(s.Difference, format)));

    private static string Summary(PairedDifference d, string format) =>
        d.Se is { } se ? $"{Signed(d.Mean, format)} ± {F(se, format)} [{Signed(d.Mean - d.HalfWidth95!.Value, format)}, {Signed(d.Mean + d.HalfWidth95.Value, format)}]"
            : $"{Signed(d.Mean, format)} (one seed: no error)";

    private static string Reading(PairedDifference fd, PairedDifference? accuracy)
    {
        if (fd.Seeds.Count < 2) return "one seed: undecided";
        string fdWord = fd.Sign switch { > 0 => "worse FD", < 0 => "better FD", _ => $"FD not distinguishable at {fd.Seeds.Count} seeds{ToDecide(fd)}" };
        if (accuracy is null || accuracy.Seeds.Count < 2) return fdWord;
        string accuracyWord = accuracy.Sign switch { > 0 => "higher class accuracy", < 0 => "lower class accuracy", _ => $"class accuracy not distinguishable{ToDecide(accuracy)}" };
        return $"{fdWord}; {accuracyWord}";
    }

    private static string ToDecide(PairedDifference d) => d.SeedsToDecide switch
    {
        null => "",
        > PairedDifference.MaxSeedsToDecide => $" (more than {F(PairedDifference.MaxSeedsToDecide, "N0")} seeds at this mean and spread)",
        { } n => $" (≈ {n} seeds at this mean and spread)",
    };

    /// <summary>The 0.975 quantile of Student's t with <paramref name="df"/> degrees of freedom (tabulated to 10, then the Cornish–Fisher expansion).</summary>
    public static double StudentT975(int df)
    {
        if (df < 1) throw new ArgumentOutOfRangeException(nameof(df), $"df {df}: expected at least 1");
        double[] table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
        if (df <= table.Length) return table[df - 1];
        const double z = 1.959964;
        return z + (z * z * z + z) / (4.0 * df) + (5 * Math.Pow(z, 5) + 16 * z * z * z + 3 * z) / (96.0 * df * df);
    }

    private static string Signed(double v, string format) => (v >= 0 ? "+" : "−") + F(Math.Abs(v), format);

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
