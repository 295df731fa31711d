
namespace DiffusionLab.Runs;

/// <summary>Series of one run's metrics.jsonl by name (x = step), for charts and tables.</summary>
public static class RunMetrics
{
    /// <summary>The rows that have <paramref name="key"/>, as (steps, values); empty when none do.</summary>
    public static (IReadOnlyList<double> Steps, IReadOnlyList<double> Values) Series(string runDirectory, string key)
    {
        var rows = new MetricsLog(new RunFolder(runDirectory).MetricsFile).ReadAll().Where(r => r.ContainsKey(key) && r.ContainsKey("step")).ToList();
        return (rows.Select(r => r["step"]).ToList(), rows.Select(r => r[key]).ToList());
    }

    /// <summary>The training loss of the full branch, and of MDT's masked branch when the run has one (the curves Trainer draws in loss.png).</summary>
    public static IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> Loss(string runDirectory)
    {
        var result = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
        var full = Series(runDirectory, "loss");
        if (full.Steps.Count > 0) result.Add(("loss (full)", full.Steps, full.Values));
        var masked = Series(runDirectory, "m_loss");
        if (masked.Steps.Count > 0) result.Add(("loss (masked)", masked.Steps, masked.Values));
        return result;
    }

    /// <summary>The last logged value of every metric (training and evaluation rows alike).</summary>
    public static IReadOnlyDictionary<string, double> Last(string runDirectory)
    {
        var last = new Dictionary<string, double>();
        foreach (var row in new MetricsLog(new RunFolder(runDirectory).MetricsFile).ReadAll())
            foreach (var (k, v) in row) last[k] = v;
        return last;
    }
}
