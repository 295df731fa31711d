using DiffusionLab.Core;
using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Scores a run's model with its dataset's judges: MNIST-10k runs generate Evaluation.NumSamples class-balanced
/// images for the MNIST evaluator (FD to the test split, class accuracy) and count the saturated-noise samples among
/// them (<see cref="SaturatedNoise"/>); CharacterWorld text-to-image runs are
/// scored by <see cref="CharacterWorldRunEvaluation"/>. Other datasets have no judges.
/// </summary>
public static class RunEvaluation
{
    /// <summary>Whether a run of this config can be evaluated (MNIST-10k and CharacterWorld have judges).</summary>
    public static bool Applies(TrainConfig config) => config.Data.Dataset is DatasetKind.Mnist10k or DatasetKind.CharacterWorld;

    /// <summary>The judges of a run's dataset, to load once and pass to every <see cref="Evaluate"/> (they cache their reference statistics).</summary>
    public static IDisposable LoadJudges(TrainConfig config, Device device) => config.Data.Dataset switch
    {
        DatasetKind.Mnist10k => MnistEvaluator.LoadDefault(),
        // The FD reference: the run's own world (its held-out people) at the run's image size.
        DatasetKind.CharacterWorld => CharacterWorldEvaluator.LoadDefault(device,
            new CharacterWorldEvaluatorConfig { World = DatasetLoader.WorldConfig(config.Data, config.Model.InputSize) }),
        _ => throw new ConfigException($"dataset '{ConfigChoice.Name(config.Data.Dataset)}': no judges (FD is defined for mnist10k and characterworld runs)"),
    };

    /// <summary>Scores the model; pass judges from <see cref="LoadJudges"/> to reuse them across evaluations, or null to load them.</summary>
    public static IReadOnlyDictionary<string, double>? Evaluate(Denoiser model, TrainConfig config, Device device, long seed, IDisposable? judges = null)
    {
        if (!Applies(config)) return null;
        using var owned = judges is null ? LoadJudges(config, device) : null;
        judges ??= owned!;
        if (judges is CharacterWorldEvaluator world) return CharacterWorldRunEvaluation.Evaluate(model, config, device, seed, world);
        var evaluator = judges as MnistEvaluator ?? throw new ArgumentException($"judges {judges.GetType().Name}: expected the MNIST evaluator for dataset '{ConfigChoice.Name(config.Data.Dataset)}'");
        var e = config.Evaluation;
        var batches = new List<Tensor>();
        var labels = new List<Tensor>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // In a notebook: one row counting samples, not a row per batch's sampling loop.
        var meter = ProgressMeter.OnHost($"evaluation: {e.NumSamples} samples", e.NumSamples);
        for (int start = 0; start < e.NumSamples; start += e.BatchSize)
        {
            int n = Math.Min(e.BatchSize, e.NumSamples - start);
            using var scope = torch.NewDisposeScope();
            var y = torch.arange(start, start + n, dtype: ScalarType.Int64) % config.Model.NumClasses;
            var images = new SamplingPipeline(model, config).Generate(y, seed + start, meter is null ? null : ProgressMeter.None);
            batches.Add(images.cpu().MoveToOuterDisposeScope());
            labels.Add(y.MoveToOuterDisposeScope());
            meter?.Report(start + n, null);
        }
        using var all = torch.cat(batches);
        using var allLabels = torch.cat(labels);
        double generateSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = evaluator.Evaluate(all, allLabels);
        double judgeSeconds = clock.Elapsed.TotalSeconds;
        foreach (var t in batches.Concat(labels)) t.Dispose();
        // Generation and judging timed apart (the images reach the host before the clock stops): what an evaluation costs.
        var row = new Dictionary<string, double>
        {
            ["fd"] = result.FrechetDistance, ["eval_samples"] = result.NumSamples,
            ["generate_seconds"] = generateSeconds, ["judge_seconds"] = judgeSeconds,
        };
        if (result.ClassAccuracy is { } acc) row["class_accuracy"] = acc;
        // Blow-ups: the fraction of samples that are saturated ±1 speckle, and of pixels at ±1 (see SaturatedNoise).
        row["saturated_noise"] = SaturatedNoise.Fraction(all);
        row["saturated_pixels"] = SaturatedNoise.MeanSaturatedPixelFraction(all);
        if (e.ProbeDigitsPerClass > 0)
        {
            clock.Restart();
            using var probe = DenoisingProbe.Run(model, BetaSchedule.Create(config.Diffusion.Schedule, config.Diffusion.Timesteps), evaluator, device, perClass: e.ProbeDigitsPerClass, seed: seed);
            foreach (var (key, value) in probe.Metrics()) row[key] = value;
            row["probe_seconds"] = clock.Elapsed.TotalSeconds;
        }
        return row;
    }
}
