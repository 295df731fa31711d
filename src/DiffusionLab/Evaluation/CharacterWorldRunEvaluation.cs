using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Scores a text-to-image CharacterWorld run with the CharacterWorld judges: Evaluation.NumSamples images for
/// captions of held-out people (never trained on), <see cref="SamplesPerCaption"/> seeds per caption, with the
/// run's sampler and guidance. Reports FD against held-out renders, prompt accuracy per factor and its mean
/// (our CLIP-T), structure validity, the identity consistency among the samples of one caption (how much one
/// prompt pins a person down) and their diversity.
/// </summary>
public static class CharacterWorldRunEvaluation
{
    public const int SamplesPerCaption = 4;

    public static IReadOnlyDictionary<string, double> Evaluate(Denoiser model, TrainConfig config, Device device, long seed, CharacterWorldEvaluator judges)
    {
        var data = config.Data;
        using var world = new CharacterWorld(DatasetLoader.WorldConfig(data, config.Model.InputSize));
        var tokenizer = DatasetLoader.Tokenizer(data);
        int n = config.Evaluation.NumSamples;
        var groups = Enumerable.Range(0, n).Select(i => i / SamplesPerCaption).ToList();
        var prompts = groups.Select(c => HeldOutCaption.At(world, c)).ToList();
        var captions = prompts.Select(p => p.Caption).ToList();
        var intended = prompts.Select(p => p.Intended).ToList();
        var batches = new List<Tensor>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (int start = 0; start < n; start += config.Evaluation.BatchSize)
            {
                int count = Math.Min(config.Evaluation.BatchSize, n - start);
                using var scope = NewDisposeScope();
                var ids = tokenizer.EncodeBatch(captions.GetRange(start, count), config.Model.TextMaxLength);
                batches.Add(new SamplingPipeline(model, config).Generate(ids, seed + start).cpu().MoveToOuterDisposeScope());
            }
            using var images = cat(batches, 0);
            double generateSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var e = judges.Evaluate(images, intended, groups);
            var row = new Dictionary<string, double>
            {
                ["fd"] = e.FrechetDistance, ["eval_samples"] = e.NumSamples, ["structure_valid"] = e.StructureValidity,
                ["generate_seconds"] = generateSeconds, ["judge_seconds"] = clock.Elapsed.TotalSeconds,
            };
            if (e.PromptAccuracy is { } prompt)
            {
                row["prompt_accuracy"] = prompt.Mean;
                foreach (var (factor, accuracy) in prompt.PerFactor) row[$"prompt_{factor}"] = accuracy;
            }
            if (e.IdentityConsistency is { } consistency) row["caption_id_consistency"] = consistency;
            if (e.Diversity is { } diversity) row["caption_diversity"] = diversity;
            return row;
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }
}
