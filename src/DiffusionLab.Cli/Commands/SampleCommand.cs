using System.CommandLine;
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
    public static Command Definition()
    {
        var source = new Argument<string>("RUN|CHECKPOINT") { Description = "a run folder (its latest checkpoint), a checkpoint file or a shipped model (zoo:NAME)" };
        var count = CliOptions.OptionalInt("--count", "N", "how many images (default: one per --prompt for a text-to-image run, else the run's Sampling.GridSamples)");
        var labels = CliOptions.Integers("--labels", "0,1,...", "class ids, one per image (class-conditional runs; NumClasses = unconditional; default: 0,1,2,... in turn)");
        var prompts = new Option<string[]>("--prompt") { HelpName = "TEXT", Description = "a prompt of a text-to-image run, words of its captions; repeatable, the images take them in turn" };
        var seed = CliOptions.Long("--seed", "S", "the seed of the images' noise", 0);
        var output = new Option<string>("--out") { HelpName = "FILE.png", Description = "the grid (default: RUN/samples/sample-stepSTEP-seedS.png; for zoo:NAME, samples/NAME-stepSTEP-seedS.png)" };
        var raw = new Option<bool>("--raw") { Description = "the raw weights instead of the EMA weights" };
        var overrides = CliOptions.Overrides("override a key of the run's config, e.g. Sampling.GuidanceScale=2 or Sampling.Respacing=50", "Sampling.Key=Value");
        var device = DeviceOption.Create();
        var command = new Command("sample", "Draw a grid of generated images with the run's (or overridden) sampler")
            { source, count, labels, prompts, seed, output, raw, overrides, device };
        command.SetAction(parse => Run(parse.GetRequiredValue(source), parse.GetValue(count), parse.GetValue(labels), parse.GetValue(prompts) ?? [], parse.GetValue(seed),
            parse.GetValue(output), parse.GetValue(raw), parse.GetValue(overrides) ?? [], DeviceOption.Parse(parse.GetValue(device)), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <param name="count">Null: one image per prompt (text-to-image), or the run's grid size.</param>
    /// <param name="labelList">Class ids (class-conditional runs); null: 0, 1, 2, ... in turn.</param>
    public static int Run(string source, int? count, IReadOnlyList<long>? labelList, IReadOnlyList<string> prompts, long seed, string? output, bool raw,
        IReadOnlyList<string> overrides, Device device, TextWriter stdout)
    {
        var loaded = TrainedModel.Load(source, overrides, raw);
        var config = loaded.Config;
        int sampleCount = count ?? (loaded.Tokenizer is not null && prompts.Count > 0 ? prompts.Count : config.Sampling.GridSamples);
        Tensor labels;
        if (loaded.Tokenizer is { } tokenizer)
        {
            if (labelList is not null) throw new UsageException("--labels: this is a text-to-image run; give prompts with --prompt \"...\"");
            if (prompts.Count == 0) throw new UsageException("sample: this is a text-to-image run; give at least one --prompt \"...\" (words of its captions)");
            foreach (var p in prompts) tokenizer.CheckKnown(p, "--prompt");
            labels = tokenizer.EncodeBatch(Enumerable.Range(0, sampleCount).Select(i => prompts[i % prompts.Count]).ToList(), config.Model.TextMaxLength);
        }
        else
        {
            if (prompts.Count > 0) throw new UsageException("--prompt: this run is class-conditional; use --labels 0,1,...");
            labels = labelList is null
                ? torch.arange(sampleCount, dtype: ScalarType.Int64) % config.Model.NumClasses
                : torch.tensor(CheckLabels(labelList, config.Model.NumClasses), dtype: ScalarType.Int64);
        }
        loaded.Model.to(device);
        var images = new SamplingPipeline(loaded.Model, config).Generate(labels, seed);
        // A shipped model's folder is the repository's: its samples go to the current folder instead.
        output ??= ModelZoo.IsZooName(source) || ShippedWeights.IsShippedWeights(loaded.CheckpointPath)
            ? Path.Combine("samples", $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(loaded.CheckpointPath)))}-step{loaded.Step:D7}-seed{seed}.png")
            : Path.Combine(loaded.RunDirectory ?? Path.GetDirectoryName(loaded.CheckpointPath)!, "samples", $"sample-step{loaded.Step:D7}-seed{seed}.png");
        int columns = loaded.Tokenizer is not null ? Math.Min(sampleCount, prompts.Count > 1 ? prompts.Count : 8)
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

    private static long[] CheckLabels(IReadOnlyList<long> labels, int numClasses) =>
        labels.All(v => v >= 0 && v <= numClasses) ? [.. labels]
            : throw new UsageException($"--labels '{string.Join(",", labels)}': expected comma-separated class ids in 0..{numClasses} ({numClasses} = unconditional)");
}
