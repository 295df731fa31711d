using System.Globalization;
using System.Text;
using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>
/// The metrics of every run and seed of a study, as read from run folders or from a committed
/// metrics.csv, with the derived numbers a report needs (mean FD curves, steps to reach a target FD).
/// </summary>
public sealed class StudyResults(IReadOnlyList<StudyRecord> records)
{
    public IReadOnlyList<StudyRecord> Records { get; } = records;

    public static StudyResults FromRunFolders(IEnumerable<(string Run, long Seed, string Folder)> runs) =>
        new(runs.SelectMany(r => new MetricsLog(new RunFolder(r.Folder).MetricsFile).ReadAll().Select(m => new StudyRecord(
            r.Run, r.Seed, (long)m["step"], m.GetValueOrDefault("wall_seconds"),
            m.TryGetValue("loss", out var l) ? l : null,
            m.TryGetValue("fd", out var f) ? f : null,
            m.TryGetValue("class_accuracy", out var a) ? a : null,
            m.ContainsKey("fd") ? m.Where(p => !NotExtra.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value) : null))).ToList());

    /// <summary>The fixed columns of metrics.csv; an evaluation's other metrics follow them, one column each, by name.</summary>
    public const string CsvHeader = "run,seed,step,wall_seconds,loss,fd,class_accuracy";

    private static readonly HashSet<string> NotExtra = ["step", "wall_seconds", "loss", "fd", "class_accuracy", "eval_samples"];

    /// <summary>The names of the extra evaluation metrics present, sorted.</summary>
    public IReadOnlyList<string> ExtraMetrics => Records.Where(r => r.Extra is not null).SelectMany(r => r.Extra!.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    public string ToCsv()
    {
        var extra = ExtraMetrics;
        var sb = new StringBuilder(CsvHeader).Append(string.Concat(extra.Select(e => "," + e))).Append('\n');
        static string F(double? v) => v is { } d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
        foreach (var r in Records)
            sb.Append($"{r.Run},{r.Seed},{r.Step},{F(r.WallSeconds)},{F(r.Loss)},{F(r.Fd)},{F(r.ClassAccuracy)}")
              .Append(string.Concat(extra.Select(e => "," + F(r.Extra?.GetValueOrDefault(e, double.NaN) is { } v && !double.IsNaN(v) ? v : null))))
              .Append('\n');
        return sb.ToString();
    }

    /// <summary>Per run, the mean over seeds of each extra metric at the final common evaluation.</summary>
    public IReadOnlyDictionary<string, double> FinalExtras(string run)
    {
        var curve = MeanFdCurve(run);
        if (curve.Count == 0) return new Dictionary<string, double>();
        var at = Seeds(run).Select(s => Evaluations(run, s).LastOrDefault(r => r.Step == curve[^1].Step)?.Extra).OfType<IReadOnlyDictionary<string, double>>().ToList();
        return at.SelectMany(e => e.Keys).Distinct().ToDictionary(k => k, k => at.Where(e => e.ContainsKey(k)).Average(e => e[k]));
    }

    public static StudyResults FromCsv(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"study results '{path}': not found");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !(lines[0] == CsvHeader || lines[0].StartsWith(CsvHeader + ",", StringComparison.Ordinal)))
            throw new ConfigException($"study results '{path}': expected the header '{CsvHeader}' (then any extra metrics)");
        var extraNames = lines[0].Split(',').Skip(7).ToArray();
        static double? P(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
        return new(lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var c = l.Split(',');
            var extra = extraNames.Select((name, i) => (name, v: P(c[7 + i]))).Where(e => e.v is not null).ToDictionary(e => e.name, e => e.v!.Value);
            return new StudyRecord(c[0], long.Parse(c[1], CultureInfo.InvariantCulture), long.Parse(c[2], CultureInfo.InvariantCulture), P(c[3]) ?? 0, P(c[4]), P(c[5]), P(c[6]),
                extra.Count > 0 ? extra : null);
        }).ToList());
    }

    public IReadOnlyList<string> RunNames => Records.Select(r => r.Run).Distinct().ToList();

    public IReadOnlyList<long> Seeds(string run) => Records.Where(r => r.Run == run).Select(r => r.Seed).Distinct().Order().ToList();

    /// <summary>FD evaluations of one run and seed, by step.</summary>
    public IReadOnlyList<StudyRecord> Evaluations(string run, long seed) =>
        Records.Where(r => r.Run == run && r.Seed == seed && r.Fd is not null).OrderBy(r => r.Step).ToList();

    /// <summary>Mean over seeds of FD (and wall seconds) at the steps every seed evaluated.</summary>
    public IReadOnlyList<(long Step, double WallSeconds, double Fd)> MeanFdCurve(string run)
    {
        var perSeed = Seeds(run).Select(s => Evaluations(run, s)).Where(e => e.Count > 0).ToList();
        if (perSeed.Count == 0) return [];
        var steps = perSeed.Select(e => e.Select(r => r.Step).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
        return steps.Order().Select(step =>
        {
            var at = perSeed.Select(e => e.Last(r => r.Step == step)).ToList();
            return (step, at.Average(r => r.WallSeconds), at.Average(r => r.Fd!.Value));
        }).ToList();
    }

    /// <summary>
    /// Mean over seeds of one evaluation metric ("class_accuracy" or an extra such as "probe_label_follow_t600") at the
    /// steps every seed evaluated it; empty where no seed has it.
    /// </summary>
    public IReadOnlyList<(long Step, double Value)> MeanMetricCurve(string run, string metric)
    {
        double? Of(StudyRecord r) => metric == "class_accuracy" ? r.ClassAccuracy
            : r.Extra is not null && r.Extra.TryGetValue(metric, out var v) ? v : null;
        var perSeed = Seeds(run).Select(s => Evaluations(run, s).Where(r => Of(r) is not null).ToList()).Where(e => e.Count > 0).ToList();
        if (perSeed.Count == 0) return [];
        var steps = perSeed.Select(e => e.Select(r => r.Step).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
        return steps.Order().Select(step => (step, perSeed.Average(e => Of(e.Last(r => r.Step == step))!.Value))).ToList();
    }

    /// <summary>Final (last common evaluation) FD per seed.</summary>
    public IReadOnlyList<double> FinalFds(string run)
    {
        var curve = MeanFdCurve(run);
        if (curve.Count == 0) return [];
        long last = curve[^1].Step;
        return Seeds(run).Select(s => Evaluations(run, s).Last(r => r.Step == last).Fd!.Value).ToList();
    }

    public double? FinalClassAccuracy(string run)
    {
        var curve = MeanFdCurve(run);
        if (curve.Count == 0) return null;
        var at = Seeds(run).Select(s => Evaluations(run, s).LastOrDefault(r => r.Step == curve[^1].Step)?.ClassAccuracy).Where(a => a is not null).ToList();
        return at.Count == 0 ? null : at.Average();
    }

    /// <summary>
    /// The first point where the mean FD curve reaches <paramref name="target"/> or below, linearly
    /// interpolated between evaluations (steps and wall seconds); null if it never does.
    /// </summary>
    public (double Steps, double WallSeconds)? Reach(string run, double target) => FirstReach(MeanFdCurve(run), target);

    /// <summary>One seed's FD curve (step, wall seconds, FD) in step order.</summary>
    public IReadOnlyList<(long Step, double WallSeconds, double Fd)> FdCurve(string run, long seed) =>
        Evaluations(run, seed).Select(r => (r.Step, r.WallSeconds, r.Fd!.Value)).ToList();

    /// <summary>
    /// The first point where the curve <paramref name="c"/> reaches <paramref name="target"/> or below, linearly interpolated
    /// between evaluations (steps and wall seconds); at the first evaluation, that evaluation's step; null if never.
    /// </summary>
    public static (double Steps, double WallSeconds)? FirstReach(IReadOnlyList<(long Step, double WallSeconds, double Fd)> c, double target)
    {
        for (int i = 0; i < c.Count; i++)
        {
            if (c[i].Fd > target) continue;
            if (i == 0) return (c[0].Step, c[0].WallSeconds);
            double f = (c[i - 1].Fd - target) / (c[i - 1].Fd - c[i].Fd);
            return (c[i - 1].Step + f * (c[i].Step - c[i - 1].Step), c[i - 1].WallSeconds + f * (c[i].WallSeconds - c[i - 1].WallSeconds));
        }
        return null;
    }
}
