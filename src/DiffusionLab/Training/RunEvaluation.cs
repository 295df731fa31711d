using DiffusionLab.Evaluation;
using DiffusionLab.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Generates Evaluation.NumSamples class-balanced images with the run's sampler and scores them with
/// the MNIST evaluator (FD to the test split, class accuracy). Only MNIST-10k runs have an evaluator.
/// </summary>
public static class RunEvaluation
{
    /// <summary>Whether a run of this config can be evaluated (only MNIST-10k has an evaluator).</summary>
    public static bool Applies(TrainConfig config) => config.Data.Dataset == "mnist10k";

    /// <summary>Scores the model; pass a loaded evaluator to reuse it across evaluations (its test-split statistics are cached), or null to load one.</summary>
    public static IReadOnlyDictionary<string, double>? Evaluate(Denoiser model, TrainConfig config, Device device, long seed, MnistEvaluator? evaluator = null)
    {
        if (!Applies(config)) return null;
        using var owned = evaluator is null ? MnistEvaluator.LoadDefault() : null;
        evaluator ??= owned!;
        var e = config.Evaluation;
        var batches = new List<Tensor>();
        var labels = new List<Tensor>();
        for (int start = 0; start < e.NumSamples; start += e.BatchSize)
        {
            int n = Math.Min(e.BatchSize, e.NumSamples - start);
            using var scope = torch.NewDisposeScope();
            var y = torch.arange(start, start + n, dtype: ScalarType.Int64) % config.Model.NumClasses;
            var images = DenoiserSampling.Generate(model, config, y, seed + start, device);
            batches.Add(images.cpu().MoveToOuterDisposeScope());
            labels.Add(y.MoveToOuterDisposeScope());
        }
        using var all = torch.cat(batches);
        using var allLabels = torch.cat(labels);
        var result = evaluator.Evaluate(all, allLabels);
        foreach (var t in batches.Concat(labels)) t.Dispose();
        var row = new Dictionary<string, double> { ["fd"] = result.FrechetDistance, ["eval_samples"] = result.NumSamples };
        if (result.ClassAccuracy is { } acc) row["class_accuracy"] = acc;
        return row;
    }
}
