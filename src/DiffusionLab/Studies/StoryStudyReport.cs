using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DiffusionLab.Imaging;
using DiffusionLab.IO;
using DiffusionLab.StoryDiffusion;

namespace DiffusionLab.Studies;

/// <summary>
/// Writes a story study's evidence into <c>results/&lt;study&gt;/</c>: metrics.csv (one row per story, seed and
/// method), table.html (the method table, for the notebook), memory.png and time.png against story length from
/// `difflab bench story` lines, and README.md with the tables, provenance and a reading.
/// </summary>
public static class StoryStudyReport
{
    private static readonly string[] Factors = ["class_word", "expression", "headwear", "clothing", "background"];

    public static void Write(string outDirectory, StoryStudySpec spec, IReadOnlyList<StoryStudyRow> rows, (double SamePerson, double SameOutfit) scale,
        IReadOnlyList<JsonObject> bench, StudyProvenance provenance)
    {
        Directory.CreateDirectory(outDirectory);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "metrics.csv"), Csv(rows));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "table.html"), TableHtml(rows, scale));
        if (bench.Count > 0)
        {
            AtomicFile.WriteAllBytes(Path.Combine(outDirectory, "memory.png"), BenchChart(bench, "peak_memory_bytes", 1e-6, "peak memory (MB)"));
            AtomicFile.WriteAllBytes(Path.Combine(outDirectory, "time.png"), BenchChart(bench, "seconds_per_panel", 1, "seconds per panel"));
        }
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "README.md"), Readme(spec, rows, scale, bench, provenance));
    }

    public static string Csv(IReadOnlyList<StoryStudyRow> rows)
    {
        var sb = new StringBuilder("method,seed,story,character_similarity,prompt_accuracy," + string.Join(",", Factors.Select(f => "prompt_" + f)) + ",structure_valid,seconds_per_panel\n");
        foreach (var r in rows)
            sb.Append($"{r.Method},{r.Seed},{r.Story},{R(r.CharacterSimilarity)},{R(r.PromptAccuracy)},")
              .Append(string.Join(",", Factors.Select(f => r.PerFactor.TryGetValue(f, out var v) ? R(v) : "")))
              .Append($",{R(r.StructureValidity)},{R(r.SecondsPerPanel)}\n");
        return sb.ToString();
    }

    /// <summary>Per method: mean and standard deviation over stories × seeds.</summary>
    public static IReadOnlyList<(string Method, int N, (double Mean, double Sd) Similarity, (double Mean, double Sd) Prompt, IReadOnlyDictionary<string, double> PerFactor, double Structure, double Seconds)> Summary(IReadOnlyList<StoryStudyRow> rows) =>
        rows.GroupBy(r => r.Method).Select(g => (g.Key, g.Count(), MeanSd(g.Select(r => r.CharacterSimilarity)), MeanSd(g.Select(r => r.PromptAccuracy)),
            (IReadOnlyDictionary<string, double>)Factors.Where(f => g.All(r => r.PerFactor.ContainsKey(f))).ToDictionary(f => f, f => g.Average(r => r.PerFactor[f])),
            g.Average(r => r.StructureValidity), g.Average(r => r.SecondsPerPanel))).ToList();

    public static string TableHtml(IReadOnlyList<StoryStudyRow> rows, (double SamePerson, double SameOutfit) scale)
    {
        var html = new StringBuilder("<table><thead><tr><th>method</th><th>stories × seeds</th><th>character similarity ↑</th><th>prompt accuracy ↑</th>"
            + string.Concat(Factors.Select(f => $"<th>{f}</th>")) + "<th>valid faces</th><th>s / panel</th></tr></thead><tbody>");
        foreach (var s in Summary(rows))
            html.Append($"<tr><td>{WebUtility.HtmlEncode(s.Method)}</td><td>{s.N}</td><td><b>{F(s.Similarity.Mean)}</b> ± {F(s.Similarity.Sd)}</td><td><b>{F(s.Prompt.Mean)}</b> ± {F(s.Prompt.Sd)}</td>"
                + string.Concat(Factors.Select(f => $"<td>{(s.PerFactor.TryGetValue(f, out var v) ? F(v) : "–")}</td>")) + $"<td>{F(s.Structure)}</td><td>{s.Seconds:F1}</td></tr>");
        html.Append($"<tr><td><i>rendered: one person, several images</i></td><td></td><td>{F(scale.SamePerson)}</td><td colspan=\"{Factors.Length + 3}\"></td></tr>");
        html.Append($"<tr><td><i>rendered: different people, same outfit</i></td><td></td><td>{F(scale.SameOutfit)}</td><td colspan=\"{Factors.Length + 3}\"></td></tr>");
        return html.Append("</tbody></table>").ToString();
    }

    private static byte[] BenchChart(IReadOnlyList<JsonObject> bench, string metric, double factor, string yLabel)
    {
        var series = bench.GroupBy(b => b["mode"]!.GetValue<string>()).Select(g =>
        {
            var points = g.Where(b => b[metric] is not null).OrderBy(b => b["panels"]!.GetValue<int>()).ToList();
            return (g.Key == "bank" ? "write/read bank (panels one at a time)" : "batch CSA (all panels together)",
                (IReadOnlyList<double>)points.Select(b => (double)b["panels"]!.GetValue<int>()).ToList(),
                (IReadOnlyList<double>)points.Select(b => b[metric]!.GetValue<double>() * factor).ToList());
        }).ToList();
        return LineChart.RenderPng($"story length vs {yLabel}", "panels in the story", yLabel, series, 800, 450, logY: false);
    }

    public static string Readme(StoryStudySpec spec, IReadOnlyList<StoryStudyRow> rows, (double SamePerson, double SameOutfit) scale, IReadOnlyList<JsonObject> bench, StudyProvenance p)
    {
        var sb = new StringBuilder($"# {spec.Name}\n\n{spec.Description}\n\n");
        sb.AppendLine($"- command: `{p.Command}`");
        sb.AppendLine($"- {spec.Stories} stories × {spec.PanelsPerStory} panels, seeds {string.Join(", ", spec.Seeds)}, {spec.ReferencePanels} reference panels per character, DDIM {spec.Steps}, guidance {spec.Guidance}");
        sb.AppendLine($"- git revision: {p.GitRevision}");
        sb.AppendLine($"- device: {p.Device}");
        sb.AppendLine($"- date: {p.DateUtc:yyyy-MM-dd HH:mm} UTC; wall time: {p.WallSeconds / 60:F1} min");
        sb.AppendLine().AppendLine("Every number below is computed by the command from `metrics.csv` (one row per story, seed and method); `table.html` is the same table for the notebook.").AppendLine();
        sb.AppendLine("## Consistency and prompt fidelity (storydiffusion.md §5.1 at our scale)").AppendLine();
        sb.AppendLine("Character similarity: mean pairwise cosine of the identity judge's embeddings among a story's panels (the paper: CLIP image similarity). Prompt accuracy: the share of asked-for factors the factor judge sees (the paper: CLIP text-image similarity). Mean ± standard deviation over stories × seeds.").AppendLine();
        sb.AppendLine("| method | n | character similarity | prompt accuracy | " + string.Join(" | ", Factors) + " | valid faces | s / panel |");
        sb.AppendLine("|---|---|---|---|" + string.Concat(Factors.Select(_ => "---|")) + "---|---|");
        var summary = Summary(rows);
        foreach (var s in summary)
            sb.AppendLine($"| {s.Method} | {s.N} | {F(s.Similarity.Mean)} ± {F(s.Similarity.Sd)} | {F(s.Prompt.Mean)} ± {F(s.Prompt.Sd)} | "
                + string.Join(" | ", Factors.Select(f => s.PerFactor.TryGetValue(f, out var v) ? F(v) : "–")) + $" | {F(s.Structure)} | {s.Seconds:F1} |");
        sb.AppendLine().AppendLine($"The identity judge's scale, on rendered images of held-out people: one person across images {F(scale.SamePerson)}; different people in the same outfit {F(scale.SameOutfit)}. A generated story consistent in face and not only in clothes would score near the first.");
        sb.AppendLine().AppendLine("Paper (SDXL, CLIP metrics, storydiffusion.md §5.1): Character Sim 0.8950 for StoryDiffusion against 0.8924 PhotoMaker and 0.8802 IP-Adapter; Text-Image Sim 0.6586 / 0.6541 / 0.6129. Different judges and scales: compare methods within a table, not numbers across them.");

        sb.AppendLine().AppendLine("## Reading").AppendLine();
        sb.AppendLine("Differences against no CSA are paired: the same story and seed under both methods, every panel from fresh noise in both arms; the error is the standard error of the mean paired difference (n − 1).").AppendLine();
        foreach (var method in summary.Select(s => s.Method).Where(m => m != StoryStudy.NoCsa))
        {
            if (PairedDifference(rows, method, r => r.CharacterSimilarity) is not { } d) continue;
            var dp = PairedDifference(rows, method, r => r.PromptAccuracy)!.Value;
            string verdict = Math.Abs(d.Mean) < 2 * d.Se ? "within 2 standard errors of no CSA (no clear effect)" : d.Mean > 0 ? "more consistent than no CSA" : "less consistent than no CSA";
            sb.AppendLine($"- **{method}**: character similarity {Signed(d.Mean)} ± {F(d.Se)} against no CSA over {d.N} pairs ({verdict}); prompt accuracy {Signed(dp.Mean)} ± {F(dp.Se)}.");
        }

        if (bench.Count > 0)
        {
            sb.AppendLine().AppendLine("## Memory and time against story length").AppendLine();
            sb.AppendLine("From `bench.jsonl` (`difflab bench story`, one process per line, random weights: the cost does not depend on training; see `bench.sh`). `memory.png`, `time.png`.").AppendLine();
            sb.AppendLine("| mode | panels | peak memory (MB) | bank (MB) | seconds | s / panel |").AppendLine("|---|---|---|---|---|---|");
            foreach (var b in bench.OrderBy(b => b["mode"]!.GetValue<string>()).ThenBy(b => b["panels"]!.GetValue<int>()))
                sb.AppendLine($"| {b["mode"]} | {b["panels"]} | {(b["peak_memory_bytes"] is { } m ? (m.GetValue<long>() / 1e6).ToString("F0", CultureInfo.InvariantCulture) : "–")} | {(b["bank_bytes"]!.GetValue<long>() / 1e6).ToString("F2", CultureInfo.InvariantCulture)} | {b["seconds"]} | {b["seconds_per_panel"]} |");
            sb.AppendLine().AppendLine($"Device and preset of the bench: {bench[0]["device"]}, {bench[0]["preset"]}.");
        }
        return sb.ToString();
    }

    /// <summary>
    /// The mean over (story, seed) pairs of <paramref name="metric"/> under <paramref name="method"/> minus under no CSA,
    /// with its standard error; null where no pair exists.
    /// </summary>
    public static (double Mean, double Se, int N)? PairedDifference(IReadOnlyList<StoryStudyRow> rows, string method, Func<StoryStudyRow, double> metric)
    {
        var plain = rows.Where(r => r.Method == StoryStudy.NoCsa).ToDictionary(r => (r.Story, r.Seed));
        var d = rows.Where(r => r.Method == method && plain.ContainsKey((r.Story, r.Seed))).Select(r => metric(r) - metric(plain[(r.Story, r.Seed)])).ToList();
        if (d.Count == 0) return null;
        var (mean, sd) = MeanSd(d);
        return (mean, sd / Math.Sqrt(d.Count), d.Count);
    }

    private static string Signed(double v) => (v >= 0 ? "+" : "") + F(v);

    private static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        var v = values.ToList();
        double mean = v.Average();
        return (mean, v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0);
    }

    private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
