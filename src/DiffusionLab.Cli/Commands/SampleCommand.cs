using DiffusionLab.Imaging;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>`difflab sample RUN|CHECKPOINT`: a grid of generated images with the run's (or overridden) sampler.</summary>
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
        string? output = args.Option("out");
        var loaded = CheckpointModel.Load(source, args.All("set"), args.Flag("raw"));
        args.RejectUnknown();

        var config = loaded.Config;
        if (count == 0) count = config.Sampling.GridSamples;
        Tensor labels = labelList is null
            ? torch.arange(count, dtype: ScalarType.Int64) % config.Model.NumClasses
            : torch.tensor(ParseLabels(labelList, config.Model.NumClasses), dtype: ScalarType.Int64);
        loaded.Model.to(device);
        var images = DenoiserSampling.Generate(loaded.Model, config, labels, seed, device);
        output ??= Path.Combine(loaded.RunDirectory ?? Path.GetDirectoryName(loaded.CheckpointPath)!, "samples", $"sample-step{loaded.Step:D7}-seed{seed}.png");
        int columns = config.Model.NumClasses <= 16 && labelList is null ? config.Model.NumClasses : (int)Math.Ceiling(Math.Sqrt(labels.shape[0]));
        ImageGrid.Save(images, columns, output);
        stdout.WriteLine($"wrote {labels.shape[0]} samples ({config.Sampling.Sampler}, respacing {config.Sampling.Respacing}, guidance {config.Sampling.GuidanceScale}) to {output}");
        return 0;
    }

    private static long[] ParseLabels(string list, int numClasses) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            long.TryParse(s, out long v) && v >= 0 && v <= numClasses ? v
                : throw new UsageException($"--labels '{list}': expected comma-separated class ids in 0..{numClasses} ({numClasses} = unconditional)")).ToArray();
}
