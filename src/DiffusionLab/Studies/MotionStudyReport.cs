using System.Globalization;
using System.Net;
using System.Text;
using DiffusionLab.IO;

namespace DiffusionLab.Studies;

/// <summary>
/// Writes a motion study's evidence into <c>results/&lt;study&gt;/</c>: metrics.csv (one row per clip: method, person, motion
/// size, seed, every measure), table.html (the method table, for notebook 07), spec.json, and README.md with the tables
/// (per method, per motion size, valid faces per frame position, paired differences against the predictor with their
/// standard errors), provenance and a reading. The samples (sheet.png, GIFs) are written by <see cref="MotionStudy.Evaluate"/>.
/// </summary>
public static class MotionStudyReport
{
    /// <summary>A measure of <see cref="Evaluation.World.ClipScores"/>: its column, heading, whether higher is better, and its value.</summary>
    public sealed record Measure(string Column, string Heading, bool HigherIsBetter, Func<MotionStudyRow, double> Of);

    public static IReadOnlyList<Measure> Measures { get; } =
    [
        new("middle_distance", "middle-frame distance ↓", false, r => r.Scores.MiddleDistance),
        new("middle_psnr", "middle-frame PSNR dB ↑", true, r => r.Scores.MiddlePsnr),
        new("first_frame_similarity", "first-frame similarity ↑", true, r => r.Scores.FirstFrameSimilarity),
        new("frames_similarity", "adjacent-frame similarity ↑", true, r => r.Scores.FramesSimilarity),
        new("identity_to_start", "identity to start ↑", true, r => r.Scores.IdentityToStart),
        new("valid_face_rate", "valid faces ↑", true, r => r.Scores.ValidFaceRate),
        new("smoothness", "frame-to-frame change", false, r => r.Scores.Smoothness),
        new("embedding_error", "embedding error ↓", false, r => r.EmbeddingError),
    ];

    private static Measure EmbeddingError => Measures[^1];

    public static void Write(string outDirectory, MotionStudySpec spec, int frames, IReadOnlyList<MotionStudyRow> rows, IReadOnlyDictionary<string, long?> peaks,
        StudyProvenance provenance, string trainedOn)
    {
        Directory.CreateDirectory(outDirectory);
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "metrics.csv"), Csv(rows));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "table.html"), TableHtml(rows, peaks));
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "spec.json"), spec.ToJson());
        AtomicFile.WriteAllText(Path.Combine(outDirectory, "README.md"), Readme(spec, frames, rows, peaks, provenance, trainedOn));
    }

    public static string Csv(IReadOnlyList<MotionStudyRow> rows)
    {
        var sb = new StringBuilder("method,person,motion,seed," + string.Join(",", Measures.Select(m => m.Column)) + ",valid_per_frame,seconds\n");
        foreach (var r in rows)
            sb.Append($"{r.Method},{r.Person},{R(r.Motion)},{r.Seed},").Append(string.Join(",", Measures.Select(m => R(m.Of(r)))))
              .Append($",{string.Concat(r.Scores.ValidFrames.Select(v => v ? '1' : '0'))},{R(r.Seconds)}\n");
        return sb.ToString();
    }

    /// <summary>The methods in the order they ran, the ground truth first.</summary>
    public static IReadOnlyList<string> Methods(IReadOnlyList<MotionStudyRow> rows) => rows.Select(r => r.Method).Distinct().ToList();

    public static string TableHtml(IReadOnlyList<MotionStudyRow> rows, IReadOnlyDictionary<string, long?> peaks)
    {
        var html = new StringBuilder("<table><thead><tr><th>method</th><th>clips</th>" + string.Concat(Measures.Select(m => $"<th>{Enc(m.Heading)}</th>")) +
                                     "<th>s / clip</th><th>peak MB</th></tr></thead><tbody>");
        foreach (var method in Methods(rows))
        {
            var own = rows.Where(r => r.Method == method).ToList();
            html.Append($"<tr><td>{Enc(method)}</td><td>{own.Count}</td>")
                .Append(string.Concat(Measures.Select(m => { var (mean, sd) = MeanSd(own.Select(m.Of)); return $"<td>{Cell(mean, sd)}</td>"; })))
                .Append(method == MotionStudy.GroundTruth ? "<td></td><td></td>" : $"<td>{own.Average(r => r.Seconds):F2}</td><td>{Mb(peaks.GetValueOrDefault(method))}</td>")
                .Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>For each method other than the predictor: the mean paired difference (method − predictor) of a measure over the units both drew, and its standard error.</summary>
    public static (double Mean, double Se, int N) PairedDifference(IReadOnlyList<MotionStudyRow> rows, string method, string baseline, Measure measure, double? motion = null)
    {
        var baseByUnit = rows.Where(r => r.Method == baseline && (motion is null || r.Motion == motion)).ToDictionary(r => (r.Person, r.Motion, r.Seed), measure.Of);
        var diffs = rows.Where(r => r.Method == method && (motion is null || r.Motion == motion) && baseByUnit.ContainsKey((r.Person, r.Motion, r.Seed)))
            .Select(r => measure.Of(r) - baseByUnit[(r.Person, r.Motion, r.Seed)]).Where(double.IsFinite).ToList();
        if (diffs.Count == 0) return (double.NaN, double.NaN, 0);
        var (mean, sd) = MeanSd(diffs);
        return (mean, diffs.Count > 1 ? sd / Math.Sqrt(diffs.Count) : double.NaN, diffs.Count);
    }

    public static string Readme(MotionStudySpec spec, int frames, IReadOnlyList<MotionStudyRow> rows, IReadOnlyDictionary<string, long?> peaks, StudyProvenance p, string trainedOn)
    {
        string predictor = MotionStudy.Label(MotionStudyMethod.Predictor);
        var methods = Methods(rows);
        var models = methods.Where(m => m != MotionStudy.GroundTruth).ToList();
        var sb = new StringBuilder($"# {spec.Name}\n\n{spec.Description}\n\n");
        sb.AppendLine($"- command: `{p.Command}`");
        sb.AppendLine($"- {spec.People} held-out people × motion sizes {string.Join(", ", spec.MotionSizes.Select(R))} × seeds {string.Join(", ", spec.Seeds)}; clips of L = {frames} frames; DDIM {spec.Sampling.Steps}, guidance {R(spec.Sampling.GuidanceScale)}; scale '{spec.Scale}'");
        sb.AppendLine($"- trained: {trainedOn}");
        sb.AppendLine($"- git revision: {p.GitRevision}");
        sb.AppendLine($"- device: {p.Device}");
        sb.AppendLine($"- date: {p.DateUtc:yyyy-MM-dd HH:mm} UTC; wall time: {p.WallSeconds / 60:F1} min");
        sb.AppendLine().AppendLine("Every number below is computed by the command from `metrics.csv` (one row per clip); `table.html` is the first table for the notebook; `samples/` holds `sheet.png` (per shown person a row per method, the ground truth first) and a GIF per method and person.").AppendLine();

        sb.AppendLine("## Measures").AppendLine();
        sb.AppendLine("Each clip is drawn from the true keyframes (the first and last frames of the clip CharacterWorld renders for the pair) and judged against that ground-truth clip:");
        sb.AppendLine("- **middle-frame distance**: the LPIPS-style distance of the factor judge's trunk (unit-normalised stage features in the face window, `CharacterWorldEvaluator.PerceptualDistances`) between generated and true frame i, averaged over the middle frames 1..L−2; **PSNR** the same frames' pixel PSNR.");
        sb.AppendLine("- **first-frame similarity** and **adjacent-frame similarity**: cosine of the factor judge's 256-d features between frame 0 and every later frame, and between adjacent frames: the paper's CLIPSIM-first / CLIPSIM-frames (and, as distances, LPIPS-first / -frames; storydiffusion.md §5.2). CLIP and LPIPS's VGG/AlexNet weights cannot be downloaded here, and would judge 32-px cartoons out of their domain; the judge trunk was trained on CharacterWorld, so its features see what changes between our frames. Compare methods within this table, never with the paper's numbers.");
        sb.AppendLine("- **identity to start**: identity-judge cosine of each frame to the start keyframe, averaged over frames; **valid faces**: share of frames judged to have 2 eyes, 1 nose, 1 mouth; **frame-to-frame change**: RMS pixel change between adjacent frames (lower is smoother; a transition must still move: compare with the ground truth's own value).");
        sb.AppendLine("- **embedding error**: where the predictor itself acts, before any pixel is drawn: the mean squared error, over the middle frames, between the per-frame embeddings a method conditions on (the predictor's P_i; no predictor's interpolated K_i) and the semantic encoder's embeddings of the true frames; for the cross-fade, the encoder's view of its frames; none for text only (`MotionStudy.EmbeddingError`). It does not depend on how well the clip generator draws.");
        sb.AppendLine("- The **ground truth** row judges the true clips themselves: what a perfect transition scores on each measure (its distance and PSNR to itself are not defined).").AppendLine();

        sb.AppendLine("## Methods (mean ± standard deviation over clips)").AppendLine();
        sb.AppendLine("| method | clips | " + string.Join(" | ", Measures.Select(m => m.Heading)) + " | s / clip | peak MB |");
        sb.AppendLine("|---|---|" + string.Concat(Measures.Select(_ => "---|")) + "---|---|");
        foreach (var method in methods)
        {
            var own = rows.Where(r => r.Method == method).ToList();
            sb.AppendLine($"| {method} | {own.Count} | " + string.Join(" | ", Measures.Select(m => { var (mean, sd) = MeanSd(own.Select(m.Of)); return CellText(mean, sd); })) +
                          (method == MotionStudy.GroundTruth ? " | – | – |" : $" | {own.Average(r => r.Seconds):F2} | {Mb(peaks.GetValueOrDefault(method))} |"));
        }
        sb.AppendLine().AppendLine("Peak memory: the process's peak resident memory (or the device's) during each method's clips, restarted before each method; the cross-fade runs no model.").AppendLine();

        sb.AppendLine("## By motion size (mean over people and seeds)").AppendLine();
        sb.AppendLine("| method | motion | middle-frame distance ↓ | middle-frame PSNR dB ↑ | identity to start ↑ | valid faces ↑ | embedding error ↓ |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var method in methods)
            foreach (double motion in spec.MotionSizes)
            {
                var own = rows.Where(r => r.Method == method && r.Motion == motion).ToList();
                if (own.Count == 0) continue;
                sb.AppendLine($"| {method} | {R(motion)} | {F(MeanOf(own, r => r.Scores.MiddleDistance))} | {F(MeanOf(own, r => r.Scores.MiddlePsnr))} | {F(MeanOf(own, r => r.Scores.IdentityToStart))} | {F(MeanOf(own, r => r.Scores.ValidFaceRate))} | {F(MeanOf(own, r => r.EmbeddingError))} |");
            }

        sb.AppendLine().AppendLine("## Valid faces per frame position").AppendLine();
        sb.AppendLine("| method | " + string.Join(" | ", Enumerable.Range(0, frames).Select(i => $"frame {i}")) + " |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Range(0, frames).Select(_ => "---|")));
        foreach (var method in methods)
        {
            var own = rows.Where(r => r.Method == method && r.Scores.ValidFrames.Count == frames).ToList();
            if (own.Count == 0) continue;
            sb.AppendLine($"| {method} | " + string.Join(" | ", Enumerable.Range(0, frames).Select(i => F(own.Average(r => r.Scores.ValidFrames[i] ? 1.0 : 0.0)))) + " |");
        }

        sb.AppendLine().AppendLine($"## Paired differences against the predictor (method − predictor; ± one standard error of the paired difference)").AppendLine();
        sb.AppendLine("Pairs share person, motion size and seed (the same true keyframes and the same starting noise); the cross-fade's one clip per pair stands for every seed.").AppendLine();
        sb.AppendLine("| method | " + string.Join(" | ", Measures.Select(m => m.Heading)) + " |");
        sb.AppendLine("|---|" + string.Concat(Measures.Select(_ => "---|")));
        foreach (var method in models.Where(m => m != predictor))
            sb.AppendLine($"| {method} | " + string.Join(" | ", Measures.Select(m => { var d = PairedDifference(rows, method, predictor, m); return DiffText(d); })) + " |");

        sb.AppendLine().AppendLine("## Reading").AppendLine();
        if (!models.Contains(predictor)) sb.AppendLine("- The predictor was not evaluated: nothing to compare.");
        else
        {
            var truthValid = MeanOf(rows.Where(r => r.Method == MotionStudy.GroundTruth).ToList(), r => r.Scores.ValidFaceRate);
            var predictorValid = MeanOf(rows.Where(r => r.Method == predictor).ToList(), r => r.Scores.ValidFaceRate);
            if (predictorValid < 0.5 * truthValid)
                sb.AppendLine($"- The predictor's frames hold a valid face {F(predictorValid)} of the time against {F(truthValid)} for the true frames: the clip model draws few recognisable faces, so its pixel and face measures are those of a weak base and decide no claim about the predictor; the embedding error, which does not depend on the drawing, still does.");
            foreach (var method in models.Where(m => m != predictor))
                foreach (var measure in Measures.Take(2).Append(Measures.Single(m => m.Column == "identity_to_start")).Append(EmbeddingError))
                {
                    var (mean, se, n) = PairedDifference(rows, method, predictor, measure);
                    if (n == 0) continue;
                    bool better = measure.HigherIsBetter ? mean < 0 : mean > 0;
                    string verdict = double.IsNaN(se) || Math.Abs(mean) <= Math.Max(2 * se, 1e-9) ? "within two standard errors: no difference shown"
                        : better ? "the predictor is better" : "the predictor is worse";
                    sb.AppendLine($"- **{method}** vs the predictor, {measure.Heading}: {DiffText((mean, se, n))} over {n} pairs ({verdict}).");
                }
        }
        string interpolated = MotionStudy.Label(MotionStudyMethod.Interpolated);
        var distance = Measures[0];
        if (models.Contains(predictor) && models.Contains(interpolated))
        {
            foreach (var measure in new[] { distance, EmbeddingError })
            {
                var bySize = spec.MotionSizes.Select(m => (Motion: m, D: PairedDifference(rows, interpolated, predictor, measure, m))).Where(x => x.D.N > 0).ToList();
                if (bySize.Count > 0)
                    sb.AppendLine($"- What the predictor adds over the interpolation as the keyframes move apart (no predictor − predictor, {measure.Heading}; positive favours the predictor): " +
                                  string.Join("; ", bySize.Select(x => $"motion {R(x.Motion)}: {DiffText(x.D)}")) + ".");
            }
        }
        sb.AppendLine().AppendLine("Paper (SD1.5 + AnimateDiff, WebVid, CLIP and LPIPS; storydiffusion.md §5.2): LPIPS-first 0.3794, LPIPS-frames 0.1635, CLIPSIM-first 0.9606, CLIPSIM-frames 0.9870 against SEINE's 0.4332 / 0.2220 / 0.9259 / 0.9736 and SparseCtrl's 0.4913 / 0.1768 / 0.9032 / 0.9756. Different judges, data and scale.");
        return sb.ToString();
    }

    private static double MeanOf(IReadOnlyList<MotionStudyRow> rows, Func<MotionStudyRow, double> of)
    {
        var values = rows.Select(of).Where(double.IsFinite).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return (double.NaN, double.NaN);
        double mean = v.Average();
        return (mean, v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0);
    }

    private static string Cell(double mean, double sd) => double.IsNaN(mean) ? "–" : $"<b>{F(mean)}</b> ± {F(sd)}";

    private static string CellText(double mean, double sd) => double.IsNaN(mean) ? "–" : $"{F(mean)} ± {F(sd)}";

    private static string DiffText((double Mean, double Se, int N) d) =>
        d.N == 0 ? "–" : $"{(d.Mean >= 0 ? "+" : "")}{F(d.Mean)} ± {(double.IsNaN(d.Se) ? "–" : F(d.Se))}";

    private static string Mb(long? bytes) => bytes is { } b ? (b / 1e6).ToString("F0", CultureInfo.InvariantCulture) : "–";

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("F3", CultureInfo.InvariantCulture);

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
