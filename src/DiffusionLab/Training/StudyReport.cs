using System.Globalization;
using System.Text;
using DiffusionLab.Imaging;
using DiffusionLab.IO;

namespace DiffusionLab.Training;

/// <summary>Where a study's numbers came from: written into its README.</summary>
public sealed record StudyProvenance(string Command, string GitRevision, string Device, DateTime DateUtc, double WallSeconds);

/// <summary>
/// Writes a study's evidence into <c>results/&lt;study&gt;/</c>: metrics.csv, FD curves against steps
/// and wall-clock (PNG), a sample grid per run, and README.md with the tables, the speed-up to the
/// baseline's final FD, provenance, and a reading of what reproduced the paper's claims.
/// </summary>
public static class StudyReport
{
    public static void Write(StudySpec spec, string scale, StudyResults results, IReadOnlyList<(string Run, long Seed, string Folder)> folders, string outDirectory, StudyProvenance provenance)
    {
        Directory.CreateDirectory(outDirectory);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "metrics.csv"), results.ToCsv());
        var label = spec.Runs.ToDictionary(r => r.Name, r => string.IsNullOrEmpty(r.Label) ? r.Name : r.Label);
        LineChart.Save($"{spec.Name}: FD vs training steps (mean of {spec.Seeds.Length} seeds)", "training step", "FD (MNIST classifier features)",
            spec.Runs.Select(r => (label[r.Name], Curve(results, r.Name, c => c.Step), Curve(results, r.Name, c => c.Fd))).ToList(),
            Path.Combine(outDirectory, "curves.png"), logY: true);
        LineChart.Save($"{spec.Name}: FD vs training wall-clock (mean of {spec.Seeds.Length} seeds)", "training seconds", "FD (MNIST classifier features)",
            spec.Runs.Select(r => (label[r.Name], Curve(results, r.Name, c => c.WallSeconds), Curve(results, r.Name, c => c.Fd))).ToList(),
            Path.Combine(outDirectory, "curves-wallclock.png"), logY: true);

        string samples = Path.Combine(outDirectory, "samples");
        Directory.CreateDirectory(samples);
        foreach (var (run, seed, folder) in folders.Where(f => f.Seed == spec.Seeds[0]))
        {
            string dir = new RunFolder(folder).SamplesDirectory;
            var last = Directory.Exists(dir) ? Directory.GetFiles(dir, "step-*.png").Order(StringComparer.Ordinal).LastOrDefault() : null;
            if (last is not null) File.Copy(last, Path.Combine(samples, $"{run}.png"), overwrite: true);
        }
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "README.md"), Readme(spec, scale, results, provenance, label));
    }

    private static IReadOnlyList<double> Curve(StudyResults results, string run, Func<(long Step, double WallSeconds, double Fd), double> pick) =>
        results.MeanFdCurve(run).Select(pick).ToList();

    private static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);

    public static string Readme(StudySpec spec, string scale, StudyResults results, StudyProvenance p, IReadOnlyDictionary<string, string> label)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {spec.Name}").AppendLine().AppendLine(spec.Description).AppendLine();
        sb.AppendLine($"- command: `{p.Command}`");
        sb.AppendLine($"- scale: {scale}; seeds: {string.Join(", ", spec.Seeds)}");
        sb.AppendLine($"- git revision: {p.GitRevision}");
        sb.AppendLine($"- device: {p.Device}");
        sb.AppendLine($"- date: {p.DateUtc:yyyy-MM-dd HH:mm} UTC; wall time of this command: {F(p.WallSeconds / 60, "F1")} min (finished runs it skipped are not counted)");
        sb.AppendLine().AppendLine("Every number below is computed from `metrics.csv` by `difflab study run` (StudyReport); `curves.png` and `curves-wallclock.png` plot the mean FD over seeds (interactive: `curves.html`).").AppendLine();

        sb.AppendLine("## Final FD and class accuracy").AppendLine();
        sb.AppendLine("| run | config | final step | FD per seed | mean FD | class accuracy |").AppendLine("|---|---|---|---|---|---|");
        foreach (var run in spec.Runs)
        {
            var curve = results.MeanFdCurve(run.Name);
            var finals = results.FinalFds(run.Name);
            if (curve.Count == 0) { sb.AppendLine($"| {label[run.Name]} | `{run.Config}` | – | not evaluated | – | – |"); continue; }
            var acc = results.FinalClassAccuracy(run.Name);
            sb.AppendLine($"| {label[run.Name]} | `{run.Config}`{(run.Set.Length > 0 ? " " + string.Join(" ", run.Set.Select(s => $"`{s}`")) : "")} | {curve[^1].Step} | {string.Join(" / ", finals.Select(f => F(f)))} | {F(curve[^1].Fd)} | {(acc is { } a ? F(a, "F3") : "–")} |");
        }

        var baseFinal = results.FinalFds(spec.Baseline);
        sb.AppendLine().AppendLine($"## Speed-up: training to {label[spec.Baseline]}'s final FD").AppendLine();
        if (baseFinal.Count == 0) { sb.AppendLine("The baseline has no evaluation yet."); return sb.ToString(); }
        double target = baseFinal.Average();
        var baseReach = results.Reach(spec.Baseline, target)!.Value;
        sb.AppendLine($"Target: the baseline's final mean FD, {F(target)}. Steps and seconds are linearly interpolated between evaluations of the mean curve; the speed-up is the baseline's steps (seconds) divided by the run's.").AppendLine();
        sb.AppendLine("| run | steps to target | speed-up (steps) | seconds to target | speed-up (wall-clock) |").AppendLine("|---|---|---|---|---|");
        var speedups = new Dictionary<string, double?>();
        foreach (var run in spec.Runs)
        {
            var reach = results.Reach(run.Name, target);
            speedups[run.Name] = reach is { } r ? baseReach.Steps / r.Steps : null;
            sb.AppendLine(reach is { } rr
                ? $"| {label[run.Name]} | {F(rr.Steps, "F0")} | {F(baseReach.Steps / rr.Steps)}× | {F(rr.WallSeconds, "F0")} | {F(baseReach.WallSeconds / rr.WallSeconds)}× |"
                : $"| {label[run.Name]} | not reached in {results.MeanFdCurve(run.Name).LastOrDefault().Step} steps | < 1× | – | – |");
        }

        sb.AppendLine().AppendLine("## Reading").AppendLine();
        foreach (var run in spec.Runs.Where(r => r.Name != spec.Baseline))
        {
            double? s = speedups[run.Name];
            string measured = s is { } v ? $"{F(v)}× fewer steps than {label[spec.Baseline]} to its final FD" : $"did not reach {label[spec.Baseline]}'s final FD";
            if (run.ClaimedSpeedup is { } claim)
            {
                string verdict = s is not { } m || m <= 1 ? "not reproduced at this scale"
                    : m >= claim ? "reproduced at this scale" : "partly reproduced (faster than the baseline, less than claimed)";
                sb.AppendLine($"- **{label[run.Name]}**: {measured}; the paper claims about {F(claim, "G3")}×{(run.Claim is null ? "" : $" ({run.Claim})")}: {verdict}.");
            }
            else
            {
                double final = results.FinalFds(run.Name).DefaultIfEmpty(double.NaN).Average();
                sb.AppendLine($"- **{label[run.Name]}**: {measured}; final mean FD {F(final)} against {F(target)}{(run.Claim is null ? "" : $"; paper: {run.Claim}")}.");
            }
        }
        sb.AppendLine().AppendLine($"Seeds: {spec.Seeds.Length}. With few seeds and a small scale, differences of a few FD points are within seed-to-seed spread: compare them with the per-seed columns above.");
        return sb.ToString();
    }
}
