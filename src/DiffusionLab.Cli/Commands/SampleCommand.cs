using DiffusionLab.Core;
using DiffusionLab.Evaluation;
using DiffusionLab.Imaging;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab sample RUN|CHECKPOINT`: a grid of generated images with the run's (or overridden) sampler; class
/// labels for class-conditional runs, prompts (--prompt, repeatable; default the run's sample prompts) for
/// text-to-image runs.
/// </summary>
public static class SampleCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "raw" });
        string source = args.Positional1("RUN or CHECKPOINT");
        var device = DeviceOption.Parse(args.Option("device"));
        int count = args.Int("count", 0);
        long seed = args.Long("seed", 0);
        string? labelList = args.Option("labels");
        var prompts = args.All("prompt").ToList();
        string? output = args.Option("out");
        var loaded = TrainedModel.Load(source, args.All("set"), args.Flag("raw"));
        args.RejectUnknown();

        var config = loaded.Config;
        if (count == 0) count = loaded.Tokenizer is not null && prompts.Count > 0 ? prompts.Count : config.Sampling.GridSamples;
        Tensor labels;
        if (loaded.Tokenizer is { } tokenizer)
        {
            if (labelList is not null) throw new UsageException("--labels: this is a text-to-image run; give prompts with --prompt \"...\"");
            if (prompts.Count == 0) throw new UsageException("sample: this is a text-to-image run; give at least one --prompt \"...\" (words of its captions)");
            foreach (var p in prompts) tokenizer.CheckKnown(p, "--prompt");
            labels = tokenizer.EncodeBatch(Enumerable.Range(0, count).Select(i => prompts[i % prompts.Count]).ToList(), config.Model.TextMaxLength);
        }
        else
        {
            if (prompts.Count > 0) throw new UsageException("--prompt: this run is class-conditional; use --labels 0,1,...");
            labels = labelList is null
                ? torch.arange(count, dtype: ScalarType.Int64) % config.Model.NumClasses
                : torch.tensor(ParseLabels(labelList, config.Model.NumClasses), dtype: ScalarType.Int64);
        }
        loaded.Model.to(device);
        var images = new SamplingPipeline(loaded.Model, config).Generate(labels, seed);
        output ??= Path.Combine(loaded.RunDirectory ?? Path.GetDirectoryName(loaded.CheckpointPath)!, "samples", $"sample-step{loaded.Step:D7}-seed{seed}.png");
        int columns = loaded.Tokenizer is not null ? Math.Min(count, prompts.Count > 1 ? prompts.Count : 8)
            : config.Model.NumClasses <= 16 && labelList is null ? config.Model.NumClasses : (int)Math.Ceiling(Math.Sqrt(labels.shape[0]));
        ImageGrid.Save(images, columns, output);
        stdout.WriteLine($"wrote {labels.shape[0]} samples ({ConfigChoice.Name(config.Sampling.Sampler)}, respacing {config.Sampling.Respacing}, guidance {config.Sampling.GuidanceScale}{(config.Sampling.ClipDenoised ? ", x0 clipped" : "")}) to {output}");
        if (images.shape[1] == 1)
        {
            // Blow-ups among the grayscale samples (see SaturatedNoise for what is counted).
            using var noisy = SaturatedNoise.IsSaturatedNoise(images);
            using var noisyCount = noisy.sum();
            stdout.WriteLine(FormattableString.Invariant($"saturated noise: {noisyCount.item<long>()} of {images.shape[0]} samples; pixels with |x| > {SaturatedNoise.PixelThreshold}: {SaturatedNoise.MeanSaturatedPixelFraction(images):F4} of all"));
        }
        return 0;
    }

    private static long[] ParseLabels(string list, int numClasses) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            long.TryParse(s, out long v) && v >= 0 && v <= numClasses ? v
                : throw new UsageException($"--labels '{list}': expected comma-separated class ids in 0..{numClasses} ({numClasses} = unconditional)")).ToArray();
}
