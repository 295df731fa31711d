using System.Globalization;
using System.Text;
using DiffusionLab.IO;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>Where a study's numbers came from: written into its README.</summary>
/// <param name="Command">The command that produced the numbers.</param>
/// <param name="GitRevision">The revision it ran on.</param>
/// <param name="Device">Where the runs trained and the report was written.</param>
/// <param name="DateUtc">When the report was written.</param>
/// <param name="WallSeconds">The command's wall time.</param>
/// <param name="Pending">What an interim report leaves out (e.g. "mdt-matched (seeds 0, 1, 2)"); null when the study is complete.</param>
public sealed record StudyProvenance(string Command, string GitRevision, string Device, DateTime DateUtc, double WallSeconds, string? Pending = null);

/// <summary>
/// Writes a study's evidence into <c>results/&lt;study&gt;/</c>: metrics.csv, FD curves against steps
/// and wall-clock (PNG), a sample grid per run, and README.md with the tables, the speed-up to the
/// baseline's final FD, provenance, and a reading of what reproduced the paper's claims.
/// </summary>
public static class StudyReport
{
    /// <summary>The learning figures beside the FD curves: file name and the metric they plot over training.</summary>
    public static IReadOnlyList<(string File, string Metric)> LearningFigures { get; } =
        [("class-accuracy.png", "class_accuracy"), ("probe-label-follow.png", "probe_label_follow_t600")];

    /// <param name="spec">The study, narrowed to what is reported.</param>
    /// <param name="scale">The scale the runs trained at.</param>
    /// <param name="results">Every evaluation reported, from run folders and carried over.</param>
    /// <param name="folders">The run folders read (their sample grids of the first seed are copied).</param>
    /// <param name="outDirectory">Where the report goes.</param>
    /// <param name="provenance">Where the run folders' numbers came from.</param>
    /// <param name="earlier">Earlier reports (<see cref="EarlierStudyReport"/>) whose <paramref name="carried"/> run × seeds are in <paramref name="results"/> instead of in run folders: their sample grids and sources come from it.</param>
    /// <param name="carried">The run × seeds taken from <paramref name="earlier"/>.</param>
    public static void Write(StudySpec spec, string scale, StudyResults results, IReadOnlyList<(string Run, long Seed, string Folder)> folders, string outDirectory, StudyProvenance provenance,
        EarlierStudyReport? earlier = null, IReadOnlyList<(string Run, long Seed)>? carried = null)
    {
        carried ??= [];
        if (carried.Count > 0 && earlier is null) throw new ArgumentException("carried run × seeds need the earlier report they come from", nameof(earlier));
        Directory.CreateDirectory(outDirectory);
        var sources = folders.Select(f => StudyRunSource.Of(f.Run, f.Seed, provenance)).Concat(carried.Select(c => earlier!.SourceOf(c.Run, c.Seed)))
            .OrderBy(s => Array.FindIndex(spec.Runs, r => r.Name == s.Run)).ThenBy(s => s.Seed).ToList();
        StudyRunSource.Write(outDirectory, sources);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "metrics.csv"), results.ToCsv());
        AtomicFile.WriteAllBytes(Path.Combine(outDirectory, "curves.png"), StudyFigures.FdCurvesPng(spec, results, wallClock: false));
        AtomicFile.WriteAllBytes(Path.Combine(outDirectory, "curves-wallclock.png"), StudyFigures.FdCurvesPng(spec, results, wallClock: true));
        foreach (var (file, metric) in LearningFigures)
            if (StudyFigures.LearningPng(spec, results, metric) is { } png) AtomicFile.WriteAllBytes(Path.Combine(outDirectory, file), png);

        string samples = Path.Combine(outDirectory, "samples");
        Directory.CreateDirectory(samples);
        var grids = new List<(string Run, long Step)>();
        foreach (var (run, seed, folder) in folders.Where(f => f.Seed == spec.Seeds[0]))
        {
            var steps = new RunFolder(folder).SampleGrids();
            if (steps.Count == 0) continue;
            // Every grid over training too, so the runs can be compared at matched steps.
            foreach (var (step, grid) in steps)
            {
                File.Copy(grid, Path.Combine(samples, StudyGridFiles.AtStep(run, step)), overwrite: true);
                grids.Add((run, step));
            }
            string last = steps[^1].File;
            File.Copy(last, Path.Combine(samples, StudyGridFiles.Last(run)), overwrite: true);
            // Text-to-image grids: the prompt of each row.
            if (File.Exists(Path.ChangeExtension(last, ".txt"))) File.Copy(Path.ChangeExtension(last, ".txt"), Path.Combine(samples, $"{run}.txt"), overwrite: true);
        }
        foreach (var (run, _) in carried.Where(c => c.Seed == spec.Seeds[0]))
            grids.AddRange(CopyCarriedGrids(earlier!.GridsOf(run), samples, run));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "README.md"), Readme(spec, scale, results, provenance, grids, carried.Count > 0 ? sources : null));
    }

    /// <summary>
    /// A carried run's grids as the earlier report has them (samples/RUN-step-NNNNNNN.png, RUN.png, RUN.txt, under the
    /// run's name there), copied under its name here unless they are this report's own files.
    /// </summary>
    private static IEnumerable<(string Run, long Step)> CopyCarriedGrids((string SamplesDirectory, string NameThere) from, string toDir, string run)
    {
        var (fromDir, there) = from;
        if (!Directory.Exists(fromDir)) yield break;
        bool same = Path.GetFullPath(fromDir) == Path.GetFullPath(toDir) && there == run;
        foreach (var (a, b) in new[] { (StudyGridFiles.Last(there), StudyGridFiles.Last(run)), ($"{there}.txt", $"{run}.txt") })
            if (!same && File.Exists(Path.Combine(fromDir, a))) File.Copy(Path.Combine(fromDir, a), Path.Combine(toDir, b), overwrite: true);
        foreach (long step in StudyGridFiles.Steps(fromDir, there))
        {
            if (!same) File.Copy(Path.Combine(fromDir, StudyGridFiles.AtStep(there, step)), Path.Combine(toDir, StudyGridFiles.AtStep(run, step)), overwrite: true);
            yield return (run, step);
        }
    }

    /// <summary>
    /// The ladders of study.json's Comparisons, a section each: the target ladder (and the class-accuracy ladder where
    /// the evaluations have one) of some runs against another baseline than the study's; empty where none has results.
    /// </summary>
    public static string ComparisonsMarkdown(StudySpec spec, StudyResults results)
    {
        var sb = new StringBuilder();
        foreach (var comparison in spec.Comparisons)
        {
            if (comparison.Of(spec, results) is not { } compared) continue;
            var ladderOf = ConvergenceLadder.Of(compared, results);
            if (ladderOf.Targets.Count == 0) continue;
            string baselineLabel = compared.Runs.Single(r => r.Name == comparison.Baseline).DisplayLabel;
            sb.AppendLine().AppendLine($"## {comparison.Title}: the target ladder against {baselineLabel}").AppendLine();
            sb.AppendLine($"As the ladder above, with {baselineLabel} as the baseline (study.json's Comparisons), at its seeds {string.Join(", ", compared.Seeds)}.").AppendLine();
            sb.Append(ladderOf.Markdown());
            if (ClassAccuracyLadder.Of(compared, results) is { } accuracyOf) sb.AppendLine().Append(accuracyOf.Markdown());
        }
        return sb.ToString();
    }

    /// <summary>A run past the target at its first evaluation got there in at most that many steps (seconds).</summary>
    private static string AtMost(StudySummaryRow row) => row.ReachedAtFirstEvaluation ? "≤ " : "";

    private static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// What the numbers above do not say on their own, read off the same results: a baseline whose FD got worse
    /// before the end (so its final FD is an easy target), and runs whose samples are not yet the classes they
    /// were asked for (so FD compares unstructured samples).
    /// </summary>
    public static IReadOnlyList<string> Caveats(StudySpec spec, StudyResults results, StudySummary summary)
    {
        var notes = new List<string>();
        var curve = results.MeanFdCurve(spec.Baseline);
        if (curve.Count > 1 && summary.Target is { } target)
        {
            var best = curve.MinBy(c => c.Fd);
            if (best.Fd < 0.95 * target)
                notes.Add($"{summary.BaselineLabel}'s mean FD was lowest at step {best.Step} ({F(best.Fd)}) and rose to {F(target)} by the end, so the target is its final value, which the others may pass early: read the speed-ups together with the curves.");
        }
        var accuracies = summary.Rows.Where(r => r.ClassAccuracy is not null).Select(r => (r.Label, Accuracy: r.ClassAccuracy!.Value)).ToList();
        if (accuracies.Count > 0 && accuracies.All(a => a.Accuracy < 0.2))
            notes.Add($"No run draws its asked-for classes yet: every final class accuracy is near chance ({string.Join(", ", accuracies.Select(a => $"{a.Label} {F(a.Accuracy, "F3")}"))}; chance is 0.1 for 10 classes). FD then compares samples that are not yet digits, and the speed-ups rank early progress, not convergence.");
        else if (accuracies.Count > 0 && accuracies.Any(a => a.Accuracy < 0.2))
            notes.Add($"Some runs draw their asked-for classes and some do not: {string.Join(", ", accuracies.Select(a => $"{a.Label} {F(a.Accuracy, "F3")}"))} (chance 0.1).");
        return notes;
    }

    /// <summary>The denoising probe (Evaluation.DenoisingProbe) at the last evaluation, per noise level, where the runs have it.</summary>
    private static void AppendProbe(StringBuilder sb, StudyResults results, StudySummary summary)
    {
        var steps = results.ExtraMetrics.Where(e => e.StartsWith("probe_x0_mse_t", StringComparison.Ordinal))
            .Select(e => int.Parse(e["probe_x0_mse_t".Length..], CultureInfo.InvariantCulture)).Order().ToList();
        if (steps.Count == 0) return;
        sb.AppendLine().AppendLine("## Denoising probe at the last evaluation").AppendLine();
        sb.AppendLine("Held-out test digits noised to x_t; per t: x̂_0's mean squared error to the clean digit / the share of x̂_0 under another asked class that the judge reads as that class (chance 0.1; a class-blind x̂_0 stays near 0). Mean over seeds.").AppendLine();
        sb.AppendLine("| run | " + string.Join(" | ", steps.Select(t => $"t = {t}")) + " |").AppendLine("|---|" + string.Concat(steps.Select(_ => "---|")));
        foreach (var row in summary.Rows)
        {
            var final = results.FinalExtras(row.Run.Name);
            sb.AppendLine($"| {row.Label} | " + string.Join(" | ", steps.Select(t =>
                final.TryGetValue($"probe_x0_mse_t{t}", out var mse) && final.TryGetValue($"probe_label_follow_t{t}", out var follow) ? $"{F(mse, "F3")} / {F(follow, "F2")}" : "–")) + " |");
        }
    }

    /// <param name="spec">The study (its runs, seeds and baseline).</param>
    /// <param name="scale">The scale the runs trained at.</param>
    /// <param name="results">Every evaluation of every run and seed.</param>
    /// <param name="p">Where the numbers came from.</param>
    /// <param name="grids">The sample grids copied to samples/RUN-step-NNNNNNN.png (seed <c>spec.Seeds[0]</c>), shown side by side at matched steps.</param>
    /// <param name="sources">Where each run × seed was measured, when not all by <paramref name="p"/> (some carried from an earlier report).</param>
    public static string Readme(StudySpec spec, string scale, StudyResults results, StudyProvenance p, IReadOnlyList<(string Run, long Step)>? grids = null,
        IReadOnlyList<StudyRunSource>? sources = null)
    {
        var summary = StudySummary.Of(spec, results);
        var sb = new StringBuilder();
        sb.AppendLine($"# {spec.Name}").AppendLine().AppendLine(spec.Description).AppendLine();
        if (p.Pending is { } pending)
            sb.AppendLine($"**Interim report.** Not finished yet, so not in this report: {pending}. Every table, figure and reading below covers only the finished runs, each at the seeds its first-table row lists, paired with the baseline's same seeds; `difflab study run` trains the rest.").AppendLine();
        sb.AppendLine($"- command: `{p.Command}`");
        sb.AppendLine($"- scale: {scale}; seeds: {string.Join(", ", spec.Seeds)}");
        sb.AppendLine($"- git revision: {p.GitRevision}");
        sb.AppendLine($"- device: {p.Device}");
        sb.AppendLine($"- date: {p.DateUtc:yyyy-MM-dd HH:mm} UTC; wall time of this command: {F(p.WallSeconds / 60, "F1")} min (finished runs it skipped are not counted)");
        if (sources is not null)
        {
            sb.AppendLine().AppendLine("Where each run was measured: the rows of run × seeds whose folders are not under this command's runs come from earlier reports (of this study, or of the study whose run a run here shares; their metrics.csv, sample grids and these sources; `--earlier`), as measured then:").AppendLine();
            foreach (var g in sources.GroupBy(s => (s.Command, s.GitRevision, s.Device, s.Date)))
            {
                string which = string.Join("; ", g.GroupBy(s => s.Run).Select(r => $"{r.Key} (seed{(r.Count() > 1 ? "s" : "")} {string.Join(", ", r.Select(s => s.Seed))})"));
                sb.AppendLine($"- {which}: revision {g.Key.GitRevision}, {g.Key.Date}; device: {g.Key.Device}; command: `{g.Key.Command}`");
            }
        }
        sb.AppendLine().AppendLine("Every number below is computed from `metrics.csv` by `difflab study run` (StudyReport); `curves.png` and `curves-wallclock.png` plot the mean FD over seeds (interactive: `curves.html`); `class-accuracy.png` the judge's class accuracy and `probe-label-follow.png` the denoising probe's label follow at t = 600 over training, where the runs have them.").AppendLine();

        sb.AppendLine("## Final FD and class accuracy").AppendLine();
        sb.AppendLine("| run | config | final step | FD per seed | mean FD | class accuracy |").AppendLine("|---|---|---|---|---|---|");
        foreach (var row in summary.Rows)
        {
            var run = row.Run;
            if (row.FinalStep is null) { sb.AppendLine($"| {row.Label} | `{run.Config}` | – | not evaluated | – | – |"); continue; }
            sb.AppendLine($"| {row.Label} | `{run.Config}`{(run.Set.Length > 0 ? " " + string.Join(" ", run.Set.Select(s => $"`{s}`")) : "")} | {row.FinalStep} | {string.Join(" / ", row.FinalFds.Select(f => F(f)))} | {F(row.MeanFinalFd!.Value)} | {(row.ClassAccuracy is { } a ? F(a, "F3") : "–")} |");
        }

        if (spec.Runs.Length > 1 && PairedDifferences.Of(spec, results, "fd").Count > 0)
        {
            sb.AppendLine().AppendLine($"## Paired differences against {summary.BaselineLabel} at the last evaluation").AppendLine();
            sb.AppendLine("Each run's final FD and class accuracy minus the baseline's at the same seed; mean ± standard error over seeds and the 95 % t-interval of the mean. Lower FD and higher class accuracy are better; an interval that holds 0 is read as not distinguishable at that number of seeds, and the reading then says how many seeds would decide a difference of the same mean and spread (a plug-in estimate: were that mean the true difference, about half of such studies would exclude 0).").AppendLine();
            sb.Append(PairedDifferences.Markdown(spec, results));
        }

        var extras = results.ExtraMetrics.Where(e => !e.StartsWith("probe_", StringComparison.Ordinal)).ToList();
        if (extras.Count > 0)
        {
            sb.AppendLine().AppendLine("## Final evaluation: every metric").AppendLine();
            sb.AppendLine("Mean over seeds at the last evaluation; the metrics are defined where the run's evaluator is (see the study's README in experiments/).").AppendLine();
            sb.AppendLine("| run | " + string.Join(" | ", extras) + " |").AppendLine("|---|" + string.Concat(extras.Select(_ => "---|")));
            foreach (var row in summary.Rows)
            {
                var final = results.FinalExtras(row.Run.Name);
                sb.AppendLine($"| {row.Label} | " + string.Join(" | ", extras.Select(e => final.TryGetValue(e, out var v) ? F(v, "F3") : "–")) + " |");
            }
        }

        AppendProbe(sb, results, summary);

        if (spec.Runs.Length == 1) return sb.ToString();
        sb.AppendLine().AppendLine($"## Speed-up: training to {summary.BaselineLabel}'s final FD").AppendLine();
        if (summary.Target is not { } target) { sb.AppendLine("The baseline has no evaluation yet."); return sb.ToString(); }
        sb.AppendLine($"Target: the baseline's final mean FD, {F(target)}. Steps and seconds are linearly interpolated between evaluations of the mean curve; the speed-up is the baseline's steps (seconds) divided by the run's; \"≤\" and \"≥\" mark a run already past the target at its first evaluation, whose speed-up the evaluation interval bounds.").AppendLine();
        sb.AppendLine("| run | steps to target | speed-up (steps) | seconds to target | speed-up (wall-clock) |").AppendLine("|---|---|---|---|---|");
        foreach (var row in summary.Rows)
            sb.AppendLine(row.ToTarget is { } r
                ? $"| {row.Label} | {AtMost(row)}{F(r.Steps, "F0")} | {row.Bound}{F(row.StepSpeedup!.Value)}× | {AtMost(row)}{F(r.WallSeconds, "F0")} | {(row.WallClockSpeedup is { } w ? row.Bound + F(w) + "×" : "–")} |"
                : $"| {row.Label} | not reached in {row.FinalStep} steps | < 1× | – | – |");

        var ladder = ConvergenceLadder.Of(spec, results);
        if (ladder.Targets.Count > 0)
        {
            sb.AppendLine().AppendLine($"## Target ladder: the FDs {summary.BaselineLabel} reaches at 10, 25, 50 and 100 % of its budget").AppendLine();
            sb.AppendLine("Each seed's target is the FD the baseline's run of the same seed has at that step (so every baseline seed reaches every rung); each run's curve of that seed, first crossing interpolated between evaluations; speed-ups are the baseline's steps for the same seed divided by the run's. \"≤\" marks a seed already past the target at its first evaluation (a bound); \"not reached\" is never a number.").AppendLine();
            sb.Append(ladder.Markdown());
        }

        if (ClassAccuracyLadder.Of(spec, results) is { } digits)
        {
            sb.AppendLine().AppendLine("## When the models draw the asked-for digits").AppendLine();
            var finals = results.Seeds(spec.Baseline).Select(seed => results.Evaluations(spec.Baseline, seed).LastOrDefault(r => r.ClassAccuracy is not null)?.ClassAccuracy)
                .OfType<double>().ToList();
            sb.AppendLine($"Stop condition: {digits.StopCondition(summary.BaselineLabel, 0.9, finals).Sentence}").AppendLine();
            sb.AppendLine("Steps until the MNIST judge reads the asked-for class in the given share of a seed's samples, first crossing interpolated between evaluations; speed-ups paired by seed as above.").AppendLine();
            sb.Append(digits.Markdown());
        }

        sb.Append(ComparisonsMarkdown(spec, results));

        if (grids is { Count: > 0 })
        {
            var steps = grids.Select(g => g.Step).Distinct().Order().ToList();
            sb.AppendLine().AppendLine($"## Sample grids at matched steps (seed {spec.Seeds[0]})").AppendLine();
            sb.AppendLine("The grid each run drew at the same training steps, a column per asked-for class (the same noise for every run).").AppendLine();
            sb.AppendLine("| run | " + string.Join(" | ", steps.Select(st => $"step {st}")) + " |").AppendLine("|---|" + string.Concat(steps.Select(_ => "---|")));
            foreach (var run in spec.Runs.Where(r => grids.Any(g => g.Run == r.Name)))
                sb.AppendLine($"| {(run.DisplayLabel)} | " + string.Join(" | ", steps.Select(st => grids.Contains((run.Name, st))
                    ? $"<img src=\"samples/{StudyGridFiles.AtStep(run.Name, st)}\" width=\"200\"/>" : "–")) + " |");
        }

        sb.AppendLine().AppendLine("## Reading").AppendLine();
        foreach (var row in summary.Rows.Where(r => r.Run.Name != spec.Baseline))
        {
            string measured = row.StepSpeedup is not { } v ? $"did not reach {summary.BaselineLabel}'s final FD"
                : row.ReachedAtFirstEvaluation ? $"at least {F(v)}× fewer steps than {summary.BaselineLabel} to its final FD (already past it at its first evaluation, step {row.ToTarget!.Value.Steps:F0})"
                : $"{F(v)}× fewer steps than {summary.BaselineLabel} to its final FD";
            if (row.Run.ClaimedSpeedup is { } claim)
                sb.AppendLine($"- **{row.Label}**: {measured}; final mean FD {F(row.MeanFinalFd ?? double.NaN)} against {F(target)}; the paper claims about {F(claim, "G3")}×{(row.Run.Claim is null ? "" : $" ({row.Run.Claim})")}: {summary.Verdict(row)}.");
            else
                sb.AppendLine($"- **{row.Label}**: {measured}; final mean FD {F(row.MeanFinalFd ?? double.NaN)} against {F(target)}{(row.Run.Claim is null ? "" : $"; paper: {row.Run.Claim}")}.");
        }
        foreach (var caveat in Caveats(spec, results, summary)) sb.AppendLine($"- {caveat}");
        sb.AppendLine().AppendLine($"Seeds: {spec.Seeds.Length}. With few seeds and a small scale, differences of a few FD points are within seed-to-seed spread: compare them with the per-seed columns above.");
        return sb.ToString();
    }
}
