using System.Globalization;
using System.Net;
using System.Text;
using DiffusionLab.Evaluation;
using DiffusionLab.Evaluation.World;
using DiffusionLab.IO;
using DiffusionLab.Runs;

namespace DiffusionLab.Studies;

/// <summary>
/// Writes a PhotoMaker study's evidence into <c>results/&lt;study&gt;/</c>: metrics.csv (one row per generated image, every
/// experiment), table.html (every method and metric, for notebook 05), spec.json (the spec as run), and README.md:
/// provenance, the main table in the paper's Tab. 1 layout with our metric names mapped to theirs, the ablations as
/// Tab. 2, the four side experiments, and a reading computed from the numbers. The sample sheets are written by
/// <see cref="PhotoMakerStudy.Evaluate"/> into samples/.
/// </summary>
public static class PhotoMakerStudyReport
{
    /// <summary>The factor judge's factors, in its order (the columns of the per-factor tables).</summary>
    public static IReadOnlyList<string> Factors { get; } = FactorClassifier.Factors.Select(f => f.Name).ToArray();

    /// <summary>The metric columns of table.html, in order.</summary>
    public static IReadOnlyList<string> TableMetrics { get; } =
        ["prompt accuracy", .. FactorClassifier.Factors.Select(f => f.Name), "identity similarity", "diversity", "FD", "valid faces", "s / image", "setup s / person", "peak memory MB"];

    public static void Write(string outDirectory, PhotoMakerStudySpec spec, PhotoMakerStudyResults results, StudyProvenance provenance)
    {
        Directory.CreateDirectory(outDirectory);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "metrics.csv"), Csv(results.Rows));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "table.html"), TableHtml(results));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "spec.json"), spec.ToJson());
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "README.md"), Readme(spec, results, provenance));
    }

    /// <summary>A label as a file name: lower case, runs of other characters as one '-'.</summary>
    public static string Slug(string label)
    {
        var sb = new StringBuilder();
        foreach (char c in label.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        return sb.ToString().Trim('-');
    }

    public static string Csv(IReadOnlyList<PhotoMakerStudyRow> rows)
    {
        var sb = new StringBuilder("experiment,setting,method,kind,person,prompt_index,seed,face_sim,face_sim_other,prompt_accuracy,"
            + string.Join(",", Factors.Select(f => "prompt_" + f)) + ",structure_valid,diversity,sharpness,seconds_per_image,prompt\n");
        foreach (var r in rows)
            sb.Append($"{r.Experiment},{r.Setting},{Quote(r.Method)},{r.Kind},{r.Person},{r.PromptIndex},{r.Seed},{R(r.FaceSim)},{(r.FaceSimOther is { } o ? R(o) : "")},{R(r.PromptAccuracy)},")
              .Append(string.Join(",", Factors.Select(f => r.PerFactor.TryGetValue(f, out var v) ? R(v) : "")))
              .Append($",{(r.StructureValid ? 1 : 0)},{(r.Diversity is { } d ? R(d) : "")},{R(r.Sharpness)},{R(r.SecondsPerImage)},{Quote(r.Prompt)}\n");
        return sb.ToString();
    }

    /// <summary>Every method's main numbers (what notebook 05 shows).</summary>
    public static string TableHtml(PhotoMakerStudyResults results)
    {
        var html = new StringBuilder("<table><thead><tr><th>method</th><th>images</th>"
            + string.Concat(TableMetrics.Select(m => $"<th>{WebUtility.HtmlEncode(m)}</th>")) + "</tr></thead><tbody>");
        foreach (var s in Summaries(results))
        {
            html.Append($"<tr><td>{WebUtility.HtmlEncode(s.Method.Label)}</td><td>{s.Images}</td><td><b>{F(s.Prompt.Mean)}</b>{Pm(s.Prompt.SeedSd)}</td>")
                .Append(string.Concat(Factors.Select(f => $"<td>{(s.PerFactor.TryGetValue(f, out var v) ? F(v) : "–")}</td>")))
                .Append($"<td><b>{F(s.FaceSim.Mean)}</b>{Pm(s.FaceSim.SeedSd)}</td><td>{F(s.Diversity)}</td><td>{F(s.Method.FrechetDistance, "F2")}</td><td>{F(s.Valid)}</td>")
                .Append($"<td>{F(s.SecondsPerImage, "F2")}</td><td>{(s.Method.Kind == PhotoMakerStudyMethodKind.DreamBooth ? F(s.Method.SetupSecondsPerPerson, "F1") : "0")}</td><td>{Mb(s.Method.PeakBytes)}</td></tr>");
        }
        html.Append($"<tr><td><i>rendered: the person's other images</i></td><td></td><td colspan=\"{Factors.Count + 1}\"></td><td>{F(results.RenderedFaceSim.SamePerson)}</td><td colspan=\"6\"></td></tr>");
        html.Append($"<tr><td><i>rendered: other people</i></td><td></td><td colspan=\"{Factors.Count + 1}\"></td><td>{F(results.RenderedFaceSim.OtherPeople)}</td><td colspan=\"6\"></td></tr>");
        return html.Append("</tbody></table>").ToString();
    }

    public static string Readme(PhotoMakerStudySpec spec, PhotoMakerStudyResults results, StudyProvenance p)
    {
        var summaries = Summaries(results);
        var byKind = summaries.GroupBy(s => s.Method.Kind).ToDictionary(g => g.Key, g => g.First());
        int side = spec.SidePromptCount;
        var sb = new StringBuilder($"# {spec.Name}\n\n");
        if (spec.Description.Length > 0) sb.AppendLine(spec.Description).AppendLine();
        sb.AppendLine($"- command: `{p.Command}`");
        sb.AppendLine($"- scale: {spec.Scale}; git revision: {p.GitRevision}");
        sb.AppendLine($"- device: {p.Device}");
        sb.AppendLine($"- date: {p.DateUtc:yyyy-MM-dd HH:mm} UTC; wall time of this command: {p.WallSeconds / 60:F1} min (variants it found trained are not counted)");
        sb.AppendLine($"- base: `{results.BaseCheckpoint}` (step {results.BaseStep})");
        foreach (var m in results.Methods.Where(m => m.RunFolder is not null))
            sb.AppendLine($"- {m.Label}: run `{m.RunFolder}`, {m.TrainedSteps} steps");
        sb.AppendLine().AppendLine("Every number below is computed by the command from `metrics.csv` (one row per generated image: experiment, setting, method, person, prompt, seed, and what the judges saw) and the per-method measurements; `table.html` is the main table for `notebooks/05-stacked-id.ipynb`, `spec.json` the spec as run, `samples/` the sample sheets.").AppendLine();

        sb.AppendLine("## Protocol (photomaker.md §4.1 at our scale)").AppendLine();
        sb.AppendLine($"- {results.People.Count} held-out people (never in a training batch of any stage): {string.Join(", ", results.People.Select(x => $"{x.Identity} ({x.ClassWord})"))}.");
        sb.AppendLine($"- {spec.References} references per person: rendered images of the person (draw seed {spec.ReferenceSeed}), the same for every method; DreamBooth is tuned on them, PhotoMaker and its ablations stack them. The single-image variant differs in training only (its own target as reference), so it gets the same 4 at inference.");
        sb.AppendLine($"- {spec.UsedPrompts.Count} prompts, each with the person's class word (PhotoMaker: `{{class}} {spec.Sampling.Trigger}`, DreamBooth: `{{identifier}} {{class}}`, the floor: `{{class}}`):");
        foreach (var (prompt, i) in spec.UsedPrompts.Select((x, i) => (x, i))) sb.AppendLine($"  {i}. \"{prompt.Pattern}\"");
        sb.AppendLine($"- seeds {string.Join(", ", spec.Seeds)} (seed s starts every method, person and prompt from the same noise, so methods are compared on the same draws); DDIM {spec.Sampling.Steps}, guidance {R(spec.Sampling.GuidanceScale)}, style strength {R(spec.Sampling.StyleStrengthPercent)} % (text-only steps 0..{spec.Sampling.StartMergeStep}).");
        sb.AppendLine($"- The side experiments use the first {side} prompt(s).");
        sb.AppendLine().AppendLine("Metrics, by the committed CharacterWorld judges (`Evaluation/World`), each mapped to the paper's:").AppendLine();
        sb.AppendLine("| ours | paper | how |").AppendLine("|---|---|---|");
        sb.AppendLine("| prompt accuracy | CLIP-T | per factor the prompt names (class word, expression, headwear, shirt colour, background), 1 when the factor judge sees it; the mean over factors |");
        sb.AppendLine("| identity similarity | FaceSim | cosine between the identity judge's embedding of the image and the normalised mean embedding of the person's clean references |");
        sb.AppendLine("| diversity | Face Div | mean pairwise LPIPS-style distance among the seeds of one (method, person, prompt), averaged |");
        sb.AppendLine("| FD | FID | Fréchet distance in the factor judge's feature space, all main images of a method against renders of the base world's held-out people |");
        sb.AppendLine("| valid faces | – | share with 2 eyes, 1 nose, 1 mouth (structure judge) |");
        sb.AppendLine("| s / image | Speed | wall time from references to images of one generation call (all seeds at once), per image |");
        sb.AppendLine("| – | CLIP-I, DINO | no counterpart: we have no photo-pretrained image networks; identity is the identity judge's |");
        sb.AppendLine().AppendLine($"Judge scale on rendered images: a person's other images against its references {F(results.RenderedFaceSim.SamePerson)} (what a perfect likeness scores), other people's references {F(results.RenderedFaceSim.OtherPeople)} (what a stranger scores). ± is the standard deviation of the per-seed means.");

        sb.AppendLine().AppendLine("## Tab. 1: personalisation against fine-tuning").AppendLine();
        sb.AppendLine("| method | prompt accuracy (CLIP-T) ↑ | identity similarity (FaceSim) ↑ | diversity (Face Div) ↑ | FD (FID) ↓ | s / image (Speed) ↓ | setup s / person | valid faces |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var kind in new[] { PhotoMakerStudyMethodKind.DreamBooth, PhotoMakerStudyMethodKind.Stacked, PhotoMakerStudyMethodKind.TextOnly })
            if (byKind.TryGetValue(kind, out var s))
                sb.AppendLine($"| {s.Method.Label}{(kind == PhotoMakerStudyMethodKind.TextOnly ? " (floor)" : "")} | {F(s.Prompt.Mean)}{Pm(s.Prompt.SeedSd)} | {F(s.FaceSim.Mean)}{Pm(s.FaceSim.SeedSd)} | {F(s.Diversity)} | {F(s.Method.FrechetDistance, "F2")} | {F(s.SecondsPerImage, "F2")} | {F(s.Method.SetupSecondsPerPerson, "F1")} | {F(s.Valid)} |");
        sb.AppendLine().AppendLine("Paper (SDXL, Tab. 1): DreamBooth CLIP-T 29.8, FaceSim 49.8, Face Div 49.1, FID 374.5, 1284 s per ID; PhotoMaker 26.1, 61.8, 57.7, 370.3, 10 s. Different judges and scale: compare the rows, not the numbers.");

        sb.AppendLine().AppendLine("## Tab. 2: stacking against its ablations").AppendLine();
        sb.AppendLine("| method | prompt accuracy (CLIP-T) | identity similarity (FaceSim) | diversity (Face Div) | FD |").AppendLine("|---|---|---|---|---|");
        foreach (var s in summaries.Where(s => s.Method.Kind is PhotoMakerStudyMethodKind.Stacked or PhotoMakerStudyMethodKind.Average or PhotoMakerStudyMethodKind.SingleImage))
            sb.AppendLine($"| {s.Method.Label} | {F(s.Prompt.Mean)}{Pm(s.Prompt.SeedSd)} | {F(s.FaceSim.Mean)}{Pm(s.FaceSim.SeedSd)} | {F(s.Diversity)} | {F(s.Method.FrechetDistance, "F2")} |");
        sb.AppendLine().AppendLine("Paper: Tab. 2a (1/8 of the training) average 28.7 / FaceSim 48.8 / Face Div 56.3 against stacked 28.0 / 53.6 / 55.0; PAPv1 Tab. 2b single image FaceSim 60.4, Face Div 51.7 (higher likeness, less diversity: it copies pose and expression).");

        sb.AppendLine().AppendLine("## Prompt accuracy per factor").AppendLine();
        sb.AppendLine("| method | " + string.Join(" | ", Factors) + " |").AppendLine("|---|" + string.Concat(Factors.Select(_ => "---|")));
        foreach (var s in summaries) sb.AppendLine($"| {s.Method.Label} | " + string.Join(" | ", Factors.Select(f => s.PerFactor.TryGetValue(f, out var v) ? F(v) : "–")) + " |");

        sb.AppendLine().AppendLine("## Time and memory, one process, methods in this order").AppendLine();
        sb.AppendLine(results.MemorySource == "process_peak_rss"
            ? $"Memory is the process's peak resident set while the method generated its main set (DreamBooth: the tuned copy, the class images and the tuning included; the pipeline's loading not), {(results.MemoryPeakRestarted ? "with the peak restarted before each method (/proc/self/clear_refs), so a method's peak is its own; \"above start\" subtracts what was resident when it began (the base, the judges, the earlier methods' leftovers)" : "**not** restartable here, so each peak includes everything before it and only \"above start\" is the method's own")}. At our model size most of the resident set is the .NET and libtorch runtime."
            : $"Memory source: {results.MemorySource}{(results.MemoryPeakRestarted ? ", restarted before each method" : ", not restartable: each peak includes what ran before")}.");
        sb.AppendLine().AppendLine("| method | s / image | setup s / person | peak memory MB | above start MB |").AppendLine("|---|---|---|---|---|");
        foreach (var s in summaries)
            sb.AppendLine($"| {s.Method.Label} | {F(s.SecondsPerImage, "F2")} | {F(s.Method.SetupSecondsPerPerson, "F1")} | {Mb(s.Method.PeakBytes)} | {Mb(s.Method.PeakAboveStartBytes)} |");

        var stacked = byKind.GetValueOrDefault(PhotoMakerStudyMethodKind.Stacked);
        var sideRows = results.Rows.Where(r => r.PromptIndex < side).ToList();
        string stackedLabel = stacked?.Method.Label ?? "";
        var cleanSide = sideRows.Where(r => r.Experiment == PhotoMakerStudy.Main && r.Method == stackedLabel).ToList();
        AppendCurve(sb, results, stackedLabel);
        AppendDegraded(sb, results, stackedLabel, cleanSide);
        AppendMixing(sb, results, spec, stackedLabel);
        var speed = Speed(results, side, cleanSide, byKind);
        AppendSpeed(sb, speed);
        sb.AppendLine().AppendLine("## Reading").AppendLine();
        foreach (var line in Reading(results, byKind, speed, cleanSide)) sb.AppendLine("- " + line);
        return sb.ToString();
    }

    private static void AppendCurve(StringBuilder sb, PhotoMakerStudyResults results, string label)
    {
        var rows = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.ReferenceCurve && r.Method == label).ToList();
        if (rows.Count == 0) return;
        sb.AppendLine().AppendLine("## (a) Number of references, 1→4 (PAPv1 Fig. 7–8)").AppendLine();
        sb.AppendLine("The first N of each person's references, stacked. Paper: identity rises mostly from 1 to 2 images, then saturates; CLIP-T falls as N grows.").AppendLine();
        sb.AppendLine("| references | identity similarity | prompt accuracy | diversity |").AppendLine("|---|---|---|---|");
        foreach (var g in rows.GroupBy(r => int.Parse(r.Setting, CultureInfo.InvariantCulture)).OrderBy(g => g.Key))
            sb.AppendLine($"| {g.Key} | {F(g.Average(r => r.FaceSim))}{Pm(SeedSd(g, r => r.FaceSim))} | {F(g.Average(r => r.PromptAccuracy))}{Pm(SeedSd(g, r => r.PromptAccuracy))} | {F(MeanOrNaN(g.Select(r => r.Diversity)))} |");
    }

    private static void AppendDegraded(StringBuilder sb, PhotoMakerStudyResults results, string label, List<PhotoMakerStudyRow> clean)
    {
        var rows = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.Degraded && r.Method == label).ToList();
        if (rows.Count == 0 || clean.Count == 0) return;
        sb.AppendLine().AppendLine("## (b) Degraded references").AppendLine();
        sb.AppendLine("The same reference images damaged (blur, low resolution: `ImageDegradation`), against clean. Identity similarity is always to the **clean** references. Sharpness is the variance of the Laplacian of the luminance (grey levels², `Evaluation.LaplacianSharpness`, the usual focus measure: blur removes the high frequencies it responds to): of the references given, and of the generations. A model that copies its references' blur gives blurred people; one that takes identity and not image quality keeps the clean generations' sharpness.").AppendLine();
        double cleanSharp = clean.Average(r => r.Sharpness);
        sb.AppendLine("| references | their sharpness | identity similarity | prompt accuracy | generations' sharpness | vs clean |").AppendLine("|---|---|---|---|---|---|");
        sb.AppendLine($"| clean | {F(results.ReferenceSharpness.GetValueOrDefault("clean", double.NaN), "F0")} | {F(clean.Average(r => r.FaceSim))} | {F(clean.Average(r => r.PromptAccuracy))} | {F(cleanSharp, "F0")} | 1.00 |");
        foreach (var g in rows.GroupBy(r => r.Setting))
            sb.AppendLine($"| {g.Key} | {F(results.ReferenceSharpness.GetValueOrDefault(g.Key, double.NaN), "F0")} | {F(g.Average(r => r.FaceSim))} | {F(g.Average(r => r.PromptAccuracy))} | {F(g.Average(r => r.Sharpness), "F0")} | {F(g.Average(r => r.Sharpness) / cleanSharp, "F2")} |");
    }

    private static void AppendMixing(StringBuilder sb, PhotoMakerStudyResults results, PhotoMakerStudySpec spec, string label)
    {
        var points = MixPoints(results, label);
        if (points.Count == 0) return;
        sb.AppendLine().AppendLine("## (c) Identity mixing (PAPv1 Fig. 11)").AppendLine();
        sb.AppendLine($"Pairs (A, B): {string.Join(", ", results.MixPairs.Select(x => $"({x.A}, {x.B})"))}; A's 4 references carry the coefficient, B's 1.0, all 8 stacked; prompts with A's class word. `samples/mixing.png`: A's references, one image per coefficient, B's references.").AppendLine();
        sb.AppendLine("| A's coefficient | similarity to A | similarity to B | A − B |").AppendLine("|---|---|---|---|");
        foreach (var x in points) sb.AppendLine($"| {R(x.Weight)} | {F(x.ToA)} | {F(x.ToB)} | {F(x.ToA - x.ToB)} |");
    }

    private static void AppendSpeed(StringBuilder sb, SpeedResult? s)
    {
        if (s is null) return;
        sb.AppendLine().AppendLine("## (d) Speed at matched identity similarity (§4.4: \"about 130× faster than DreamBooth\")").AppendLine();
        sb.AppendLine("Seconds per identity to its first personalised image, both measured in this run: PhotoMaker needs no setup (s / image); DreamBooth first generates its class images and tunes, then samples. Identity similarity on the side prompts.").AppendLine();
        sb.AppendLine("| method | tuning steps | s per identity | identity similarity |").AppendLine("|---|---|---|---|");
        sb.AppendLine($"| {s.PhotoMakerLabel} | 0 | {F(s.PhotoMakerSeconds, "F2")} | {F(s.PhotoMakerSim)} |");
        foreach (var (step, sim, seconds) in s.DreamBoothCurve) sb.AppendLine($"| {s.DreamBoothLabel} | {step} | {F(seconds, "F1")} | {F(sim)} |");
        sb.AppendLine().AppendLine($"DreamBooth at its {s.DreamBoothCurve[^1].Step} steps: {F(s.DreamBoothCurve[^1].Seconds / s.PhotoMakerSeconds, "F0")}× PhotoMaker's time per identity. {s.Matched}");
    }

    private sealed record SpeedResult(string PhotoMakerLabel, double PhotoMakerSeconds, double PhotoMakerSim, string DreamBoothLabel,
        IReadOnlyList<(int Step, double Sim, double Seconds)> DreamBoothCurve, double? MatchedSteps, double? MatchedRatio, string Matched);

    private static SpeedResult? Speed(PhotoMakerStudyResults results, int side, List<PhotoMakerStudyRow> cleanSide,
        Dictionary<PhotoMakerStudyMethodKind, Summary> byKind)
    {
        if (!byKind.TryGetValue(PhotoMakerStudyMethodKind.Stacked, out var pm) || !byKind.TryGetValue(PhotoMakerStudyMethodKind.DreamBooth, out var db) || cleanSide.Count == 0) return null;
        double pmSeconds = pm.SecondsPerImage, pmSim = cleanSide.Average(r => r.FaceSim);
        double perStep = (db.Method.TuningSecondsPerPerson ?? 0) / Math.Max(1, results.DreamBoothSteps);
        double Cost(double steps) => (db.Method.ClassImageSecondsPerPerson ?? 0) + steps * perStep + db.SecondsPerImage;
        var curve = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.DreamBoothSteps && r.Method == db.Method.Label)
            .GroupBy(r => int.Parse(r.Setting, CultureInfo.InvariantCulture)).Select(g => (Step: g.Key, Sim: g.Average(r => r.FaceSim)))
            .Append((Step: results.DreamBoothSteps, Sim: results.Rows.Where(r => r.Experiment == PhotoMakerStudy.Main && r.Method == db.Method.Label && r.PromptIndex < side).Average(r => r.FaceSim)))
            .OrderBy(x => x.Step).Select(x => (x.Step, x.Sim, Seconds: Cost(x.Step))).ToList();
        int first = curve.FindIndex(x => x.Sim >= pmSim);
        double? steps = null;
        string matched;
        if (first < 0)
            matched = $"DreamBooth never reaches PhotoMaker's identity similarity {F(pmSim)} within its {results.DreamBoothSteps} steps (best {F(curve.Max(x => x.Sim))} at step {curve.MaxBy(x => x.Sim).Step}); the matched speed ratio is at least {F(Cost(results.DreamBoothSteps) / pmSeconds, "F0")}× and unknown beyond.";
        else if (first == 0)
        {
            steps = curve[0].Step;
            matched = $"DreamBooth matches PhotoMaker's identity similarity {F(pmSim)} by its first evaluated step ({curve[0].Step}, {F(curve[0].Sim)}): at most {curve[0].Step} steps, {F(curve[0].Seconds, "F1")} s per identity, {F(curve[0].Seconds / pmSeconds, "F0")}× PhotoMaker's time (an upper bound: an earlier step may do).";
        }
        else
        {
            var (a, b) = (curve[first - 1], curve[first]);
            steps = a.Step + (pmSim - a.Sim) / (b.Sim - a.Sim) * (b.Step - a.Step);
            matched = $"DreamBooth reaches PhotoMaker's identity similarity {F(pmSim)} at about {steps:F0} tuning steps (linear between steps {a.Step} and {b.Step}): {F(Cost(steps.Value), "F1")} s per identity, **{F(Cost(steps.Value) / pmSeconds, "F0")}×** PhotoMaker's {F(pmSeconds, "F2")} s (paper: ~130×).";
        }
        return new SpeedResult(pm.Method.Label, pmSeconds, pmSim, db.Method.Label, curve, steps, steps is { } k ? Cost(k) / pmSeconds : null, matched);
    }

    private static List<(double Weight, double ToA, double ToB)> MixPoints(PhotoMakerStudyResults results, string label) =>
        results.Rows.Where(r => r.Experiment == PhotoMakerStudy.Mixing && r.Method == label)
            .GroupBy(r => double.Parse(r.Setting, CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Average(r => r.FaceSim), g.Average(r => r.FaceSimOther ?? double.NaN))).ToList();

    /// <summary>Plain-language statements read off the numbers, each with the comparison that decides it.</summary>
    private static IEnumerable<string> Reading(PhotoMakerStudyResults results, Dictionary<PhotoMakerStudyMethodKind, Summary> byKind, SpeedResult? speed, List<PhotoMakerStudyRow> cleanSide)
    {
        var main = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.Main).ToList();
        if (!byKind.TryGetValue(PhotoMakerStudyMethodKind.Stacked, out var pm)) yield break;
        var (same, other) = results.RenderedFaceSim;
        if (byKind.TryGetValue(PhotoMakerStudyMethodKind.TextOnly, out var floor))
        {
            var d = Paired(main, pm.Method.Label, floor.Method.Label, r => r.FaceSim);
            string scale = same - other > 0.05
                ? $"; PhotoMaker is {F(100 * (pm.FaceSim.Mean - other) / (same - other), "F0")} % of the way from a stranger to a likeness, the floor {F(100 * (floor.FaceSim.Mean - other) / (same - other), "F0")} %"
                : "; the identity judge barely separates people here, so identity numbers say little";
            yield return $"**Does PhotoMaker carry identity?** Identity similarity {F(pm.FaceSim.Mean)} against the text-only floor's {F(floor.FaceSim.Mean)}: {Verdict(d, "above the floor", "below the floor")}. For scale, rendered images of the same person score {F(same)} and other people {F(other)}{scale}.";
        }
        if (byKind.TryGetValue(PhotoMakerStudyMethodKind.Average, out var avg))
        {
            var d = Paired(main, pm.Method.Label, avg.Method.Label, r => r.FaceSim);
            var dp = Paired(main, pm.Method.Label, avg.Method.Label, r => r.PromptAccuracy);
            yield return $"**Stacking vs averaging (Tab. 2a).** Identity similarity {F(pm.FaceSim.Mean)} vs {F(avg.FaceSim.Mean)}: {Verdict(d, "stacking higher", "averaging higher")}; {SeedVerdict(main, pm.Method.Label, avg.Method.Label)}. Prompt accuracy {Signed(dp.Mean)} (paper: stacking +4.8 FaceSim, −0.7 CLIP-T).";
        }
        if (byKind.TryGetValue(PhotoMakerStudyMethodKind.SingleImage, out var single))
        {
            var d = Paired(main, single.Method.Label, pm.Method.Label, r => r.FaceSim);
            double dd = single.Diversity - pm.Diversity;
            yield return $"**Single image (Tab. 2b).** Identity similarity {F(single.FaceSim.Mean)} vs stacked {F(pm.FaceSim.Mean)} ({Verdict(d, "single image higher", "single image lower")}), diversity {F(single.Diversity)} vs {F(pm.Diversity)} ({Signed(dd)}). The paper's pattern (higher likeness, lower diversity) {(d.Mean > 0 && dd < 0 ? "holds" : "does not hold")} here.";
        }
        if (byKind.TryGetValue(PhotoMakerStudyMethodKind.DreamBooth, out var db))
        {
            var d = Paired(main, pm.Method.Label, db.Method.Label, r => r.FaceSim);
            var dp = Paired(main, pm.Method.Label, db.Method.Label, r => r.PromptAccuracy);
            yield return $"**PhotoMaker vs DreamBooth (Tab. 1).** Identity similarity {F(pm.FaceSim.Mean)} vs {F(db.FaceSim.Mean)}: {Verdict(d, "PhotoMaker higher", "DreamBooth higher")}; prompt accuracy {F(pm.Prompt.Mean)} vs {F(db.Prompt.Mean)} ({Verdict(dp, "PhotoMaker higher", "DreamBooth higher")}); diversity {F(pm.Diversity)} vs {F(db.Diversity)}; FD {F(pm.Method.FrechetDistance, "F2")} vs {F(db.Method.FrechetDistance, "F2")}. Paper: PhotoMaker +12 FaceSim, −3.7 CLIP-T.";
        }
        if (speed is not null) yield return $"**Speed (§4.4).** {speed.Matched}";
        var curve = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.ReferenceCurve && r.Method == pm.Method.Label)
            .GroupBy(r => int.Parse(r.Setting, CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => (N: g.Key, Sim: g.Average(r => r.FaceSim), Prompt: g.Average(r => r.PromptAccuracy))).ToList();
        if (curve.Count >= 2)
        {
            var (lo, hi) = (curve[0], curve[^1]);
            string shape = curve.Count >= 3
                ? $"; the first step ({lo.N}→{curve[1].N}) gives {Signed(curve[1].Sim - lo.Sim)}, the rest ({curve[1].N}→{hi.N}) {Signed(hi.Sim - curve[1].Sim)}"
                : "";
            yield return $"**References 1→4 (Fig. 7–8).** Identity similarity {F(lo.Sim)} with {lo.N} reference(s) to {F(hi.Sim)} with {hi.N}{shape}; prompt accuracy {F(lo.Prompt)} → {F(hi.Prompt)} ({(hi.Prompt < lo.Prompt ? "falls, as the paper's CLIP-T does" : "does not fall, unlike the paper's CLIP-T")}).";
        }
        var degraded = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.Degraded && r.Method == pm.Method.Label).GroupBy(r => r.Setting).ToList();
        if (degraded.Count > 0 && cleanSide.Count > 0)
        {
            double cleanSim = cleanSide.Average(r => r.FaceSim), cleanSharp = cleanSide.Average(r => r.Sharpness);
            double refClean = results.ReferenceSharpness.GetValueOrDefault("clean", double.NaN);
            yield return "**Degraded references.** " + string.Join("; ", degraded.Select(g =>
                $"{g.Key}: identity similarity {Signed(g.Average(r => r.FaceSim) - cleanSim)} against clean references, generations {F(g.Average(r => r.Sharpness) / cleanSharp, "F2")}× as sharp (the references themselves {F(results.ReferenceSharpness.GetValueOrDefault(g.Key, double.NaN) / refClean, "F2")}×)"))
                + ". A ratio near 1 for the generations while the references lose sharpness means the model took the identity without the damage.";
        }
        var mix = MixPoints(results, pm.Method.Label);
        if (mix.Count >= 3)
        {
            var diffs = mix.Select(x => x.ToA - x.ToB).ToList();
            double range = diffs[^1] - diffs[0];
            double jump = diffs.Zip(diffs.Skip(1), (a, b) => Math.Abs(b - a)).Max();
            double rho = Spearman(mix.Select(x => x.Weight).ToList(), diffs);
            string verdict = rho >= 0.9 && range > 0 && jump <= 0.5 * range ? "moves smoothly towards A as its coefficient grows"
                : range <= 0 ? "does not move towards A as its coefficient grows"
                : "moves towards A but not smoothly";
            yield return $"**Mixing (Fig. 11).** Similarity to A minus similarity to B goes from {F(diffs[0])} at {R(mix[0].Weight)} to {F(diffs[^1])} at {R(mix[^1].Weight)} (rank correlation with the coefficient {F(rho, "F2")}, largest step between neighbouring coefficients {F(jump)} of a total change {F(range)}): the mix {verdict}.";
        }
    }

    private sealed record Summary(PhotoMakerStudyMethod Method, int Images, (double Mean, double SeedSd) Prompt, (double Mean, double SeedSd) FaceSim,
        IReadOnlyDictionary<string, double> PerFactor, double Diversity, double Valid, double SecondsPerImage);

    private static List<Summary> Summaries(PhotoMakerStudyResults results) => results.Methods.Select(m =>
    {
        var rows = results.Rows.Where(r => r.Experiment == PhotoMakerStudy.Main && r.Method == m.Label).ToList();
        return new Summary(m, rows.Count, (rows.Average(r => r.PromptAccuracy), SeedSd(rows, r => r.PromptAccuracy)), (rows.Average(r => r.FaceSim), SeedSd(rows, r => r.FaceSim)),
            Factors.Where(f => rows.Any(r => r.PerFactor.ContainsKey(f))).ToDictionary(f => f, f => rows.Where(r => r.PerFactor.ContainsKey(f)).Average(r => r.PerFactor[f])),
            MeanOrNaN(rows.Select(r => r.Diversity)), rows.Average(r => r.StructureValid ? 1.0 : 0.0), rows.Average(r => r.SecondsPerImage));
    }).ToList();

    /// <summary>The standard deviation of the per-seed means (NaN with one seed).</summary>
    private static double SeedSd(IEnumerable<PhotoMakerStudyRow> rows, Func<PhotoMakerStudyRow, double> metric)
    {
        var means = rows.GroupBy(r => r.Seed).Select(g => g.Average(metric)).ToList();
        if (means.Count < 2) return double.NaN;
        double mean = means.Average();
        return Math.Sqrt(means.Sum(x => (x - mean) * (x - mean)) / (means.Count - 1));
    }

    /// <summary>The mean paired difference a − b over (person, prompt, seed) and its standard error.</summary>
    private static (double Mean, double Se, int N) Paired(List<PhotoMakerStudyRow> rows, string a, string b, Func<PhotoMakerStudyRow, double> metric)
    {
        var other = rows.Where(r => r.Method == b).ToDictionary(r => (r.Person, r.PromptIndex, r.Seed), metric);
        var d = rows.Where(r => r.Method == a && other.ContainsKey((r.Person, r.PromptIndex, r.Seed))).Select(r => metric(r) - other[(r.Person, r.PromptIndex, r.Seed)]).ToList();
        if (d.Count == 0) return (double.NaN, double.NaN, 0);
        double mean = d.Average();
        double se = d.Count > 1 ? Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Count - 1) / d.Count) : double.NaN;
        return (mean, se, d.Count);
    }

    private static string Verdict((double Mean, double Se, int N) d, string positive, string negative) =>
        double.IsNaN(d.Se) ? $"{Signed(d.Mean)} (one pair: no spread to judge it by)"
        : Math.Abs(d.Mean) <= 2 * d.Se + 1e-9 ? $"{Signed(d.Mean)}, within ±2 standard errors ({F(2 * d.Se)}, {d.N} paired images): no clear difference"
        : $"{Signed(d.Mean)} beyond ±2 standard errors ({F(2 * d.Se)}, {d.N} paired images): {(d.Mean > 0 ? positive : negative)}";

    /// <summary>Whether one method's worst seed beats the other's best (per-seed means over people × prompts).</summary>
    private static string SeedVerdict(List<PhotoMakerStudyRow> rows, string a, string b)
    {
        var ma = rows.Where(r => r.Method == a).GroupBy(r => r.Seed).Select(g => g.Average(r => r.FaceSim)).ToList();
        var mb = rows.Where(r => r.Method == b).GroupBy(r => r.Seed).Select(g => g.Average(r => r.FaceSim)).ToList();
        string per = $"per-seed means {string.Join(" / ", ma.Select(x => F(x)))} vs {string.Join(" / ", mb.Select(x => F(x)))}";
        if (ma.Count < 2) return per + " (one seed: no seed spread)";
        return ma.Min() > mb.Max() ? per + ": stacking wins on every seed, beyond the seed spread"
            : mb.Min() > ma.Max() ? per + ": averaging wins on every seed, beyond the seed spread"
            : per + ": the seed ranges overlap, so not beyond the seed spread";
    }

    private static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double[] Ranks(IReadOnlyList<double> v) => v.Select(a => v.Count(b => b < a) + (v.Count(b => b == a) + 1) / 2.0).ToArray();
        var (rx, ry) = (Ranks(x), Ranks(y));
        double mx = rx.Average(), my = ry.Average();
        double cov = rx.Zip(ry, (a, b) => (a - mx) * (b - my)).Sum();
        double sx = Math.Sqrt(rx.Sum(a => (a - mx) * (a - mx))), sy = Math.Sqrt(ry.Sum(b => (b - my) * (b - my)));
        return sx == 0 || sy == 0 ? double.NaN : cov / (sx * sy);
    }

    private static double MeanOrNaN(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is not null).Select(x => x!.Value).ToList();
        return v.Count > 0 ? v.Average() : double.NaN;
    }

    private static string Pm(double sd) => double.IsNaN(sd) ? "" : $" ± {F(sd)}";
    private static string Signed(double v) => (v >= 0 ? "+" : "") + F(v);
    private static string Mb(long? bytes) => bytes is { } b ? (b / 1e6).ToString("F0", CultureInfo.InvariantCulture) : "–";
    private static string F(double v, string format = "F3") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
