using System.Diagnostics;
using DiffusionLab.Diffusion;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// DreamBooth-style test-time fine-tuning (photomaker.md §6; the per-identity baseline PhotoMaker is 130× faster
/// than): a copy of the text-to-image backbone is tuned on an identity's reference images with the instance prompt
/// "a photo of a [V] man" while the prior-preservation loss λ·‖ε − ε̂(x_pr,t, c_pr)‖² on class images the frozen copy
/// generated for "a photo of a man" keeps the class from drifting. Times itself.
/// </summary>
public sealed class DreamBoothFineTuner(DreamBoothConfig config)
{
    public DreamBoothConfig Config { get; } = config;

    /// <summary>
    /// Tunes a copy of <paramref name="baseModel"/> (left untouched) on <paramref name="references"/> (N, 3, H, W) in [−1, 1]
    /// of one person whose class word is <paramref name="classWord"/>; <paramref name="betas"/> is the base run's β schedule.
    /// <paramref name="onSnapshot"/> sees the model after each of <paramref name="snapshotSteps"/> steps (0 ≤ step &lt; Steps;
    /// the result is the last): a study's "how many tuning steps does it take" curve from one tuning run. The time spent
    /// in it is not counted in <see cref="DreamBoothResult.TrainTime"/>. With <paramref name="runDirectory"/> the tuning
    /// checkpoints into that run folder (every <see cref="DreamBoothConfig.CheckpointEvery"/> steps and at the end) and
    /// resumes from it; without, it runs in memory.
    /// </summary>
    public DreamBoothResult Tune(MaskedDiffusionTransformer baseModel, WordTokenizer tokenizer, double[] betas, Tensor references, string classWord,
        IProgress<int>? progress = null, IReadOnlyCollection<int>? snapshotSteps = null, Action<DreamBoothSnapshot>? onSnapshot = null,
        string? runDirectory = null)
    {
        var problems = Config.Problems();
        if (problems.Count > 0) throw new ArgumentException($"DreamBooth config: {problems[0]}");
        if (references.dim() != 4 || references.shape[0] == 0 || references.shape[1] != 3)
            throw new ArgumentException($"no reference images: expected (N, 3, H, W) with N >= 1, got [{string.Join(", ", references.shape)}]");
        if (!tokenizer.Contains(classWord))
            throw new ArgumentException($"class word '{classWord}': not in the tokenizer's vocabulary; use one the model was trained with, e.g. man, woman, boy, girl");
        foreach (int bad in snapshotSteps?.Where(k => k < 0 || k >= Config.Steps) ?? [])
            throw new ArgumentException($"snapshot step {bad}: expected 0..{Config.Steps - 1} (the tuned result is step {Config.Steps})");
        var device = baseModel.parameters().First().device;
        var clock = Stopwatch.StartNew();
        var model = new MaskedDiffusionTransformer(baseModel.Config, device);
        StateDictLoader.LoadStrict(model, baseModel.state_dict(), "DreamBooth base model");
        string instancePrompt = Config.InstancePrompt.Replace("{identifier}", Config.Identifier).Replace("{class}", classWord);
        string classPrompt = Config.ClassPrompt.Replace("{class}", classWord);
        var classImages = Config.ClassBatch > 0 && Config.ClassImages > 0
            ? GenerateText(model, tokenizer, betas, classPrompt, [.. Enumerable.Range(0, Config.ClassImages).Select(i => Config.Seed * 100_003 + i)],
                Config.ClassImageSteps, Config.ClassImageGuidance, Config.Identifier).DetachFromDisposeScope()
            : zeros(0, 3, baseModel.Config.InputSize, baseModel.Config.InputSize);
        var classTime = clock.Elapsed;

        clock.Restart();
        using var generator = new Generator((ulong)Config.Seed, CPU);
        var (lora, trainable) = Adapt(model, generator);
        Action<int>? snapshot = onSnapshot is null || snapshotSteps is null || snapshotSteps.Count == 0 ? null : step =>
        {
            if (!snapshotSteps.Contains(step)) return;
            clock.Stop();
            onSnapshot(new DreamBoothSnapshot(model, tokenizer, betas, Config.Identifier, instancePrompt, step, classTime, clock.Elapsed));
            clock.Start();
        };
        var (instanceLosses, priorLosses) = Train(model, trainable, tokenizer, betas, references, classImages, instancePrompt, classPrompt, generator, progress, snapshot, runDirectory);
        model.eval();
        return new DreamBoothResult(model, lora, tokenizer, betas, Config.Identifier, instancePrompt, classPrompt, classImages, classTime, clock.Elapsed, instanceLosses, priorLosses);
    }

    /// <summary>Freezes the copy and opens what the tuning mode trains: LoRA on the attention projections, the cross-attention, or all but the text encoder.</summary>
    private (LoraAdapters? Lora, List<(string, Parameter)> Trainable) Adapt(MaskedDiffusionTransformer model, Generator generator)
    {
        foreach (var p in model.parameters()) p.requires_grad = false;
        if (Config.Tuning == BackboneAdaptation.Lora)
        {
            var lora = LoraAdapters.Attach(model, PhotoMakerModel.AttentionProjectionNames(model, includeSideInterpolator: false), Config.LoraRank, Config.LoraAlpha, generator);
            return (lora, [.. lora.NamedParameters()]);
        }
        var trainable = new List<(string, Parameter)>();
        foreach (var (name, p) in model.named_parameters())
        {
            // DreamBooth tunes the denoiser; the text encoder stays as trained (diffusers' default), so the identifier's meaning is learned downstream.
            bool open = Config.Tuning == BackboneAdaptation.Full ? !name.StartsWith("text_encoder.", StringComparison.Ordinal) : name.Contains(".cross_attn.", StringComparison.Ordinal);
            if (!open) continue;
            p.requires_grad = true;
            trainable.Add((name, p));
        }
        return (null, trainable);
    }

    /// <summary>The one trainer over a <see cref="DreamBoothObjective"/>; the snapshots run as its hooks (they stop the tuning clock themselves).</summary>
    private (List<double> Instance, List<double> Prior) Train(MaskedDiffusionTransformer model, List<(string, Parameter)> trainable, WordTokenizer tokenizer, double[] betas,
        Tensor references, Tensor classImages, string instancePrompt, string classPrompt, Generator generator, IProgress<int>? progress, Action<int>? snapshot,
        string? runDirectory)
    {
        var device = model.parameters().First().device;
        int length = model.Config.TextMaxLength;
        using var instanceIds = tokenizer.EncodeBatch([instancePrompt], length, device);
        using var classIds = tokenizer.EncodeBatch([classPrompt], length, device);
        using var refs = references.to(ScalarType.Float32).to(device);
        using var priors = classImages.to(device);
        using var objective = new DreamBoothObjective(model, trainable, Config, new GaussianDiffusion(betas, model.Config.LearnSigma), refs, priors, instanceIds, classIds);
        var options = DreamBoothObjective.Options(Config);
        var run = runDirectory is null ? null : new Runs.RunFolder(runDirectory);
        using var trainer = new Trainer(objective, options with { CheckpointEvery = Config.CheckpointEvery }, generator, run,
            new TrainingProgress(TextWriter.Null, interactive: false, Config.Steps, 0, options.LogEvery));
        if (trainer.Step == 0) snapshot?.Invoke(0);
        trainer.AddHook(new TrainingHook("progress and snapshots", 1, step =>
        {
            progress?.Report((int)step);
            if (step < Config.Steps) snapshot?.Invoke((int)step);
        }));
        trainer.Train();
        // A resumed tuning has the rows of this process only; its metrics.jsonl has them all.
        var rows = run is null ? trainer.Rows : new Runs.MetricsLog(run.MetricsFile).ReadAll();
        return ([.. rows.Where(r => r.ContainsKey("instance")).Select(r => r["instance"])], [.. rows.Where(r => r.ContainsKey("prior")).Select(r => r["prior"])]);
    }

    /// <summary>One image per seed for a prompt that must hold the tuned identifier (see <see cref="DreamBoothResult.Generate"/>).</summary>
    internal static Tensor GenerateIdentified(MaskedDiffusionTransformer model, WordTokenizer tokenizer, double[] betas, string identifier, string instancePrompt,
        string prompt, IReadOnlyList<long> seeds, int steps, double guidanceScale)
    {
        var words = WordTokenizer.Split(prompt).Select(s => prompt.Substring(s.Start, s.Length).ToLowerInvariant()).ToList();
        if (!words.Contains(identifier.ToLowerInvariant()))
            throw new ArgumentException($"prompt \"{prompt}\": no identifier '{identifier}'; the tuned subject is \"{instancePrompt}\"");
        return GenerateText(model, tokenizer, betas, prompt, seeds, steps, guidanceScale, identifier);
    }

    /// <summary>
    /// Plain text-to-image sampling (S, 3, H, W) with DDIM and CFG on the empty prompt; the prompt's words must be in the
    /// vocabulary except <paramref name="allowedUnknown"/> (the identifier).
    /// </summary>
    internal static Tensor GenerateText(MaskedDiffusionTransformer model, WordTokenizer tokenizer, double[] betas, string prompt, IReadOnlyList<long> seeds,
        int steps, double guidanceScale, string? allowedUnknown)
    {
        var unknown = WordTokenizer.Split(prompt).Select(s => prompt.Substring(s.Start, s.Length).ToLowerInvariant())
            .Where(w => !tokenizer.Contains(w) && w != allowedUnknown?.ToLowerInvariant()).Distinct().ToList();
        if (unknown.Count > 0) throw new ArgumentException($"prompt \"{prompt}\": unknown word(s) {string.Join(", ", unknown.Select(w => $"'{w}'"))}: not in the tokenizer's vocabulary");
        if (seeds.Count == 0) throw new ArgumentException("seeds: expected at least one (one image per seed)");
        using var ids = tokenizer.EncodeBatch(Enumerable.Repeat(prompt, seeds.Count).ToList(), model.Config.TextMaxLength);
        using var conditioning = new DenoiserConditioning(model, ids);
        var sampling = new PhotoMakerSampling { Steps = steps, GuidanceScale = guidanceScale }.Section(betas.Length);
        return new SamplingPipeline(model, betas, sampling).Generate(conditioning, seeds);
    }
}
