using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiffusionLab.Runs;

/// <summary>
/// metrics.jsonl: one JSON object per line ({"step": …, "wall_seconds": …, "loss": …} or evaluation
/// lines with "fd"). Appended and flushed line by line, so a killed run loses at most one line.
/// </summary>
public sealed class MetricsLog(string path)
{
    public string Path { get; } = path;

    public void Append(IReadOnlyDictionary<string, double> values) => File.AppendAllText(Path, Format(values) + "\n");

    public IReadOnlyList<Dictionary<string, double>> ReadAll()
    {
        if (!File.Exists(Path)) return [];
        var rows = new List<Dictionary<string, double>>();
        foreach (var line in File.ReadLines(Path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject obj;
            try { obj = JsonNode.Parse(line)!.AsObject(); }
            catch (JsonException) { continue; } // a line cut by a kill
            var row = new Dictionary<string, double>();
            foreach (var (k, v) in obj)
            {
                if (v is JsonValue jv && jv.TryGetValue<double>(out var d)) row[k] = d;
                else if (v is JsonValue sv && sv.TryGetValue<string>(out var s) && double.TryParse(s, CultureInfo.InvariantCulture, out var p)) row[k] = p;
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Drops lines logged after <paramref name="step"/> (on resume, the run repeats them).</summary>
    public void TruncateAfter(long step)
    {
        if (!File.Exists(Path)) return;
        var kept = File.ReadLines(Path).Where(line =>
        {
            try { return JsonNode.Parse(line)?["step"]?.GetValue<long>() <= step; }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return false; }
        }).ToList();
        IO.AtomicFile.WriteAllText(Path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <summary>
    /// Replaces the evaluation lines (those with "fd") at the steps of <paramref name="evaluations"/> by them, keeping
    /// every other line and the step order (an evaluation after the training line of its step): how a run is re-scored
    /// when its judges change.
    /// </summary>
    public void ReplaceEvaluations(IReadOnlyList<IReadOnlyDictionary<string, double>> evaluations)
    {
        var steps = evaluations.Select(e => (long)e["step"]).ToHashSet();
        var kept = File.Exists(Path) ? File.ReadLines(Path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => (Line: l, Node: TryParse(l))).Where(x => x.Node is not null)
            .Where(x => !(x.Node!.ContainsKey("fd") && steps.Contains(x.Node["step"]!.GetValue<long>()))).ToList() : [];
        var lines = kept.Select(x => (Step: x.Node!["step"]!.GetValue<long>(), Order: 0, x.Line))
            .Concat(evaluations.Select(e => ((long)e["step"], 1, Format(e))))
            .OrderBy(x => x.Item1).ThenBy(x => x.Item2).Select(x => x.Item3).ToList();
        IO.AtomicFile.WriteAllText(Path, lines.Count == 0 ? "" : string.Join("\n", lines) + "\n");
    }

    private static JsonObject? TryParse(string line)
    {
        try { return JsonNode.Parse(line) as JsonObject; }
        catch (JsonException) { return null; }
    }

    private static string Format(IReadOnlyDictionary<string, double> values)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in values)
            obj[k] = k == "step" ? JsonValue.Create((long)v) : double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));
        return obj.ToJsonString();
    }
}
