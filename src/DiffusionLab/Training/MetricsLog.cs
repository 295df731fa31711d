using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiffusionLab.Training;

/// <summary>
/// metrics.jsonl: one JSON object per line ({"step": …, "wall_seconds": …, "loss": …} or evaluation
/// lines with "fd"). Appended and flushed line by line, so a killed run loses at most one line.
/// </summary>
public sealed class MetricsLog(string path)
{
    public string Path { get; } = path;

    public void Append(IReadOnlyDictionary<string, double> values)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in values)
            obj[k] = k == "step" ? JsonValue.Create((long)v) : double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));
        File.AppendAllText(Path, obj.ToJsonString() + "\n");
    }

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
}
