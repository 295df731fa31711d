using System.Diagnostics;
using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Imaging;
using DiffusionLab.IO;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Studies;

/// <summary>
/// Runs a <see cref="MotionStudySpec"/>. <see cref="Train"/> trains the two motion configs (with and without the predictor)
/// into <c>runsRoot/&lt;study&gt;/&lt;scale&gt;/{predictor,no-predictor}</c> (finished runs are skipped, interrupted ones resume).
/// <see cref="Evaluate"/> then draws, in one process and the order of <see cref="MotionStudyMethod"/>, every held-out person ×
/// motion size × seed with every method from the true keyframes of the pair, judges each clip against the ground-truth clip
/// (<see cref="ClipMetrics"/>), and measures seconds per clip and each method's peak memory.
/// </summary>
public sealed class MotionStudy
{
    public const string GroundTruth = "ground truth";

    private readonly Device _device;
    private readonly string _runsRoot;
    private readonly TextWriter _log;

    public MotionStudy(MotionStudySpec spec, Device device, string runsRoot, TextWriter log, string? baseCheckpoint = null, string? judgesFolder = null)
    {
        Spec = spec;
        _device = device;
        _runsRoot = runsRoot;
        _log = log;
        JudgesFolder = judgesFolder;
        CharacterWorldEvaluator.CheckAvailable(judgesFolder);
        WithPredictor = spec.Config(spec.PredictorConfig, baseCheckpoint);
        WithoutPredictor = spec.Config(spec.NoPredictorConfig, baseCheckpoint);
        if (!WithPredictor.UsePredictor) throw new ConfigException($"motion study '{spec.Name}': key 'PredictorConfig': '{spec.PredictorConfig}' has UsePredictor false");
        if (WithoutPredictor.UsePredictor) throw new ConfigException($"motion study '{spec.Name}': key 'NoPredictorConfig': '{spec.NoPredictorConfig}' has UsePredictor true; the ablation feeds the interpolated embeddings straight in");
        if (WithPredictor.BaseCheckpoint != WithoutPredictor.BaseCheckpoint)
            throw new ConfigException($"motion study '{spec.Name}': the two configs start from '{WithPredictor.BaseCheckpoint}' and '{WithoutPredictor.BaseCheckpoint}'; both arms must share one base");
        if (WithPredictor.Frames != WithoutPredictor.Frames || WithPredictor.Frames < 3)
            throw new ConfigException($"motion study '{spec.Name}': Frames {WithPredictor.Frames} and {WithoutPredictor.Frames}: expected one L of at least 3 (a clip with middle frames) for both arms");
    }

    public MotionStudySpec Spec { get; }
    public MotionConfig WithPredictor { get; }
    public MotionConfig WithoutPredictor { get; }
    public string? JudgesFolder { get; }
    public int Frames => WithPredictor.Frames;

    public static string Label(MotionStudyMethod method) => method switch
    {
        MotionStudyMethod.Predictor => "predictor (StoryDiffusion)",
        MotionStudyMethod.Interpolated => "no predictor (interpolated)",
        MotionStudyMethod.CrossFade => "pixel cross-fade",
        _ => "text only (no keyframes)",
    };

    public string Folder(bool predictor) => Path.GetFullPath(Path.Combine(_runsRoot, Spec.Name, Spec.Scale, predictor ? "predictor" : "no-predictor"));

    public static long TrainedSteps(string folder) =>
        TrainingCheckpoint.Latest(folder) is { } path && SafetensorsFile.ReadMetadata(path).TryGetValue("step", out var step) ? long.Parse(step, CultureInfo.InvariantCulture) : 0;

    /// <summary>Trains both arms to their Steps (resuming a started one, skipping a finished one with the same config).</summary>
    public void Train(CancellationToken cancellation = default)
    {
        foreach (var (predictor, config) in new[] { (true, WithPredictor), (false, WithoutPredictor) })
        {
            cancellation.ThrowIfCancellationRequested();
            string folder = Folder(predictor), head = predictor ? "[1/2] predictor" : "[2/2] no-predictor";
            long done = TrainedSteps(folder);
            if (done >= config.Steps)
            {
                var stored = new RunFolder(folder).ConfigFile;
                if ((MotionConfig.FromJson(File.ReadAllText(stored), stored) with { Steps = config.Steps }).ToJson() != config.ToJson())
                    throw new ConfigException($"run '{folder}': finished with a different config ({stored}); use another --runs folder or restore the config");
                _log.WriteLine($"{head}: finished at step {done}, skipped ({folder})");
                continue;
            }
            _log.WriteLine(done > 0 ? $"{head}: resuming at step {done} of {config.Steps} -> {folder}" : $"{head}: training {config.Steps} steps -> {folder}");
            var progress = new TrainingProgress(_log, ReferenceEquals(_log, Console.Out) && !Console.IsOutputRedirected, config.Steps, done, config.LogEvery);
            using var trainer = new MotionTrainer(config, folder, _device, progress);
            trainer.Train(cancellation: cancellation);
            cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Every method on every (person, motion size, seed), plus the ground truth judged as a clip (the scale of each measure);
    /// the per-method peak memory (bytes, from <paramref name="memory"/>, restarted before each method); sample sheets and GIFs into
    /// <paramref name="samplesDirectory"/> when given.
    /// </summary>
    public (IReadOnlyList<MotionStudyRow> Rows, IReadOnlyDictionary<string, long?> PeakBytes) Evaluate(IPeakMemory memory, string? samplesDirectory = null, CancellationToken cancellation = default)
    {
        foreach (var (predictor, config) in new[] { (true, WithPredictor), (false, WithoutPredictor) })
            if (TrainedSteps(Folder(predictor)) < config.Steps)
                throw new ConfigException($"run '{Folder(predictor)}': trained {TrainedSteps(Folder(predictor))} of {config.Steps} steps; train the arms first (Train)");
        using var judges = JudgesFolder is null ? CharacterWorldEvaluator.LoadDefault(_device) : CharacterWorldEvaluator.Load(JudgesFolder, _device);
        using var withPredictor = TransitionPipeline.Load(Folder(true), _device);
        using var withoutPredictor = TransitionPipeline.Load(Folder(false), _device);
        using var world = withPredictor.BaseWorld();
        var people = world.Identities(WorldSplit.HeldOut).Take(Spec.People).ToList();
        if (people.Count < Spec.People) throw new ConfigException($"motion study '{Spec.Name}': key 'People': {Spec.People}, but the base world has {people.Count} held-out people");

        // The units every method draws: (person, size) pairs with their true clips and captions, then each seed.
        var units = people.SelectMany(p => Spec.MotionSizes.Select(m => (Person: p, Pair: KeyframePairs.Of(world, p, 0, m)))).ToList();
        var truths = units.Select(u => CharacterImage.Stack(KeyframePairs.Render(world, u.Pair, Frames))).ToList();   // (L, 3, S, S) each
        var prompts = units.Select(u => world.Caption(u.Person, u.Pair.Start).Text).ToList();
        var rows = new List<MotionStudyRow>();
        var peaks = new Dictionary<string, long?>();
        var samples = new Dictionary<string, List<Tensor>>();
        int shown = Math.Min(Spec.SamplePeople, people.Count);
        bool Sampled(int unit, long seed) => seed == Spec.Seeds[0] && units[unit].Pair.Motion == Spec.MotionSizes.Max() && people.IndexOf(units[unit].Person) < shown;

        for (int u = 0; u < units.Count; u++)
        {
            // A clip's distance and PSNR to itself say nothing: undefined, not 0 and ∞.
            var truthScores = ClipMetrics.Of(judges, truths[u], truths[u]) with { MiddleDistance = double.NaN, MiddlePsnr = double.NaN };
            rows.Add(new MotionStudyRow(GroundTruth, units[u].Person, units[u].Pair.Motion, 0, truthScores, 0, double.NaN));
            if (Sampled(u, Spec.Seeds[0])) Add(samples, GroundTruth, truths[u]);
        }
        foreach (var method in Enum.GetValues<MotionStudyMethod>())
        {
            string label = Label(method);
            memory.ResetPeak();
            int done = 0, total = units.Count * (method == MotionStudyMethod.CrossFade ? 1 : Spec.Seeds.Length);
            for (int u = 0; u < units.Count; u++)
                foreach (long seed in method == MotionStudyMethod.CrossFade ? Spec.Seeds.Take(1) : Spec.Seeds)
                {
                    cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var truth = truths[u];
                    var clock = Stopwatch.StartNew();
                    var clip = method switch
                    {
                        MotionStudyMethod.CrossFade => CrossFade(truth[0], truth[Frames - 1], Frames),
                        MotionStudyMethod.Interpolated => withoutPredictor.Generate(truth[0], truth[Frames - 1], [prompts[u]], seed, Spec.Sampling, KeyframeConditioning.Interpolated)[0],
                        MotionStudyMethod.TextOnly => withPredictor.Generate(truth[0], truth[Frames - 1], [prompts[u]], seed, Spec.Sampling, KeyframeConditioning.TextOnly)[0],
                        _ => withPredictor.Generate(truth[0], truth[Frames - 1], [prompts[u]], seed, Spec.Sampling, KeyframeConditioning.Predicted)[0],
                    };
                    double seconds = clock.Elapsed.TotalSeconds;
                    var scores = ClipMetrics.Of(judges, clip, truth);
                    double embeddingError;
                    using (no_grad())
                        embeddingError = method switch
                        {
                            MotionStudyMethod.Predictor => EmbeddingError(withPredictor.Model, KeyframeEmbeddings(withPredictor.Model, truth, KeyframeConditioning.Predicted), truth),
                            MotionStudyMethod.Interpolated => EmbeddingError(withoutPredictor.Model, KeyframeEmbeddings(withoutPredictor.Model, truth, KeyframeConditioning.Interpolated), truth),
                            MotionStudyMethod.CrossFade => EmbeddingError(withPredictor.Model, withPredictor.Model.Encoder.Encode(clip), truth),
                            _ => double.NaN,
                        };
                    // The cross-fade has no noise: one clip stands for every seed, so the paired differences keep their units.
                    foreach (long s in method == MotionStudyMethod.CrossFade ? Spec.Seeds : [seed])
                        rows.Add(new MotionStudyRow(label, units[u].Person, units[u].Pair.Motion, s, scores, seconds, embeddingError));
                    if (Sampled(u, seed)) Add(samples, label, clip);
                    _log.WriteLine($"[{label} {++done}/{total}] person {units[u].Person}, motion {units[u].Pair.Motion:0.##}, seed {seed}: middle-frame distance {scores.MiddleDistance:F3}, " +
                                   $"PSNR {scores.MiddlePsnr:F1} dB, identity {scores.IdentityToStart:F3}, valid faces {scores.ValidFaceRate:P0} ({seconds:F1} s)");
                }
            peaks[label] = memory.PeakBytes;
        }
        if (samplesDirectory is not null && samples.Count > 0) WriteSamples(samplesDirectory, samples);
        foreach (var list in samples.Values) foreach (var t in list) t.Dispose();
        foreach (var t in truths) t.Dispose();
        return (rows, peaks);
    }

    /// <summary>
    /// The paper's own question, asked where the predictor acts: the mean squared error, over the middle frames 1..L−2, between
    /// per-frame embeddings (L, N, E) a method conditions on and the semantic encoder's embeddings of the true frames
    /// <paramref name="truth"/> (L, 3, S, S). For the predictor its P_i, for no predictor the interpolated K_i, for the
    /// cross-fade the encoder's view of its frames. Independent of how well the clip generator draws, so it decides whether
    /// the predictor beats the interpolation even where the base draws few readable faces.
    /// </summary>
    public static double EmbeddingError(MotionModel model, Tensor embeddings, Tensor truth)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var target = model.Encoder.Encode(truth.to(model.Device));                                        // (L, N, E)
        if (!embeddings.shape.SequenceEqual(target.shape) || target.shape[0] < 3)
            throw new ArgumentException($"embeddings [{string.Join(", ", embeddings.shape)}] and the true frames' [{string.Join(", ", target.shape)}]: expected one (L, N, E) shape with L >= 3");
        int middle = (int)target.shape[0] - 2;
        return (embeddings.to(target.device).narrow(0, 1, middle) - target.narrow(0, 1, middle)).square().mean().to(ScalarType.Float64).item<double>();
    }

    /// <summary>The per-frame embeddings (L, N, E) <paramref name="model"/> conditions a clip on, from the true clip's (L, 3, S, S) end frames.</summary>
    private static Tensor KeyframeEmbeddings(MotionModel model, Tensor truth, KeyframeConditioning mode)
    {
        int l = (int)truth.shape[0];
        return model.Embeddings(truth[0].unsqueeze(0), truth[l - 1].unsqueeze(0), l, mode)![0];
    }

    /// <summary>Pixel cross-fade: frame i = lerp(start, end, i / (L − 1)), (L, 3, S, S).</summary>
    public static Tensor CrossFade(Tensor start, Tensor end, int frames)
    {
        using var scope = NewDisposeScope();
        var u = linspace(0, 1, frames, dtype: start.dtype).view(frames, 1, 1, 1);               // (L, 1, 1, 1)
        return start.unsqueeze(0).lerp(end.unsqueeze(0), u).MoveToOuterDisposeScope();        // (L, 3, S, S)
    }

    private static void Add(Dictionary<string, List<Tensor>> samples, string method, Tensor clip)
    {
        if (!samples.TryGetValue(method, out var list)) samples[method] = list = [];
        list.Add(clip.detach().cpu().clone().DetachFromDisposeScope());
    }

    /// <summary>sheet.png (per shown person, a row per method: ground truth first) and one GIF per method and person.</summary>
    private void WriteSamples(string directory, Dictionary<string, List<Tensor>> samples)
    {
        System.IO.Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        var methods = samples.Keys.ToList();
        int people = samples[methods[0]].Count;
        var rows = Enumerable.Range(0, people).SelectMany(p => methods.Select(m => samples[m][p])).ToArray();
        ImageGrid.Save(cat(rows, 0), Frames, Path.Combine(directory, "sheet.png"), scale: 2);
        foreach (var method in methods)
            for (int p = 0; p < people; p++)
                AnimatedImageFile.Save(samples[method][p], Path.Combine(directory, $"{Slug(method)}-{p + 1}.gif"), new AnimationSettings { FrameDelay = TimeSpan.FromMilliseconds(120) });
    }

    /// <summary>"predictor (StoryDiffusion)" → "predictor-storydiffusion": a file name.</summary>
    public static string Slug(string method) =>
        string.Join("-", System.Text.RegularExpressions.Regex.Split(method.ToLowerInvariant(), "[^a-z0-9]+").Where(w => w.Length > 0));
}
