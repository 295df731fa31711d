using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab evaluators train`: trains the CharacterWorld judges (identity embedder, factor
/// classifier, structure checker) on the CPU with one seed, writes each one's safetensors weights
/// and a JSON of its held-out metrics. `difflab evaluators check`: re-measures the embedded judges
/// (or those of a folder) on held-out identities.
/// </summary>
public static class EvaluatorsCommand
{
    // One thread makes a run reproducible bit for bit (libtorch splits reductions by thread count);
    // rendering has its own threads, between steps, and never changes the result.
    private const int TrainThreads = 1;

    public static Command Definition() => CommandGroup.Create("evaluators", "Train or check the CharacterWorld judges (identity embedder, factor classifier, structure checker)",
        TrainDefinition(), CheckDefinition());

    private static Command TrainDefinition()
    {
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "where each judge's safetensors weights and JSON of held-out metrics go", DefaultValueFactory = _ => Path.Combine("runs", "evaluators") };
        var seed = CliOptions.Int("--seed", "S", "the training seed", 0, min: 0);
        var which = CliOptions.Choice("--which", "which judge(s) to train", ["identity", "factors", "structure", "all"], "all");
        var images = CliOptions.OptionalInt("--images", "N", $"images per train identity (default: {new JudgeTrainingOptions().ImagesPerIdentity})");
        var epochs = CliOptions.OptionalInt("--epochs", "E", $"epochs (default: {new JudgeTrainingOptions().Epochs})");
        var checkImages = CliOptions.Int("--check-images", "K", "held-out images per identity the judges are measured on (a gallery image and probes)", 10, min: 2);
        var command = new Command("train", $"Train the judges on the CPU with one seed ({TrainThreads} torch thread: reproducible bit for bit)") { output, seed, which, images, epochs, checkImages };
        command.SetAction(parse => Train(parse.GetRequiredValue(output), parse.GetValue(seed), parse.GetRequiredValue(which), parse.GetValue(images), parse.GetValue(epochs),
            parse.GetValue(checkImages), "difflab " + string.Join(" ", parse.Tokens.Select(t => t.Value)), parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command CheckDefinition()
    {
        var images = CliOptions.Int("--images", "N", "held-out images per identity (a gallery image and probes)", 10, min: 2);
        var weights = new Option<string>("--weights") { HelpName = "DIR", Description = "the judges of this folder (default: those embedded in the library)" };
        var degraded = new Option<bool>("--degraded") { Description = "also on degraded renders (noise, blur, down-sampling)" };
        var size = CliOptions.Int("--size", "PIXELS", "the side of the renders (16 to 256); the judges see them resampled to their own size", JudgeTrunk.ImageSize, min: 16, max: 256);
        var command = new Command("check", "Measure the judges (embedded, or a folder's) on held-out identities") { images, weights, degraded, size };
        command.SetAction(parse => Check(parse.GetValue(images), parse.GetValue(weights), parse.GetValue(degraded), parse.GetValue(size), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <param name="images">Images per train identity; null: the training options' default.</param>
    /// <param name="epochs">Null: the training options' default.</param>
    /// <param name="command">This command line, for each judge's provenance JSON.</param>
    public static int Train(string output, int seed, string which, int? images, int? epochs, int checkImages, string command, TextWriter stdout)
    {
        // The revision of the code that trains, read before training: commits made meanwhile are not it.
        string revision = GitRevision.OfRun();
        Directory.CreateDirectory(output);
        using var world = new CharacterWorld();
        var defaults = new JudgeTrainingOptions();
        var options = defaults with
        {
            Seed = seed,
            Epochs = epochs ?? defaults.Epochs,
            ImagesPerIdentity = images ?? defaults.ImagesPerIdentity,
        };
        var provenance = new Provenance(command, revision, output, checkImages, stdout);

        if (which is "identity" or "all")
            provenance.Run("identity", CharacterWorldEvaluator.IdentityWeightsFile, options,
                o => JudgeTraining.Identity(world, o, stdout),
                m => m.SaveWeights, m => new() { ["identity"] = WorldJudgeMetrics.MeasureIdentity(m, world, checkImages) });
        if (which is "factors" or "all")
            provenance.Run("factors", CharacterWorldEvaluator.FactorWeightsFile, options,
                o => JudgeTraining.Factors(world, o, stdout),
                m => m.SaveWeights, m => new() { ["factors"] = WorldJudgeMetrics.MeasureFactors(m, world, checkImages), ["fd"] = WorldJudgeMetrics.MeasureFd(m, world, checkImages) });
        if (which is "structure" or "all")
            provenance.Run("structure", CharacterWorldEvaluator.StructureWeightsFile, options,
                o => JudgeTraining.Structure(world, o, stdout),
                m => m.SaveWeights, m => new() { ["structure"] = WorldJudgeMetrics.MeasureStructure(m, world, checkImages) });
        return 0;
    }

    /// <param name="weights">A folder of judges; null: those embedded in the library.</param>
    public static int Check(int images, string? weights, bool degraded, int size, TextWriter stdout)
    {
        if (weights is not null && !Directory.Exists(weights)) throw new DirectoryNotFoundException($"--weights {weights}: no such folder");

        var clock = Stopwatch.StartNew();
        // --size 32: the floor and the judges' accuracy for a 32-pixel model, whose images reach the judges resampled to 64.
        var config = new CharacterWorldEvaluatorConfig { World = new CharacterWorldConfig { ImageSize = size } };
        using var evaluator = weights is null ? CharacterWorldEvaluator.LoadDefault(config: config) : CharacterWorldEvaluator.Load(weights, config: config);
        using var world = new CharacterWorld(evaluator.Config.World);
        stdout.WriteLine($"judges: {(weights is null ? "embedded in the library" : Path.GetFullPath(weights))}; {images} images of each of {world.Config.HeldOutIdentities} held-out identities, rendered at {size}×{size}" +
            (size == JudgeTrunk.ImageSize ? "" : $" and resampled to {JudgeTrunk.ImageSize}×{JudgeTrunk.ImageSize}"));
        stdout.WriteLine(WorldJudgeMetrics.MeasureIdentity(evaluator.Identity, world, images));
        stdout.WriteLine(WorldJudgeMetrics.MeasureFactors(evaluator.Factors, world, images));
        stdout.WriteLine(WorldJudgeMetrics.MeasureStructure(evaluator.Structure, world, images));
        stdout.WriteLine(WorldJudgeMetrics.MeasureFd(evaluator.Factors, world, images));
        stdout.WriteLine($"evaluator on other renders of the held-out identities (grouped by identity, 3 references each): {WorldJudgeMetrics.EvaluateRenders(evaluator, world, images)}");
        if (degraded)
            foreach (var (name, degradation) in Degradations)
                stdout.WriteLine($"  the same renders, {name}: {WorldJudgeMetrics.EvaluateRenders(evaluator, world, images, degradation: degradation)}");
        stdout.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    // How sensitive the judges are to generated images softer or noisier than renders (ImageDegradation's units).
    private static readonly (string Name, ImageDegradation Degradation)[] Degradations =
    [
        ("noise 8 grey levels", new ImageDegradation(NoiseStd: 8)),
        ("noise 16 grey levels", new ImageDegradation(NoiseStd: 16)),
        ("blur sigma 1", new ImageDegradation(BlurSigma: 1)),
        ("down-sampled x2", new ImageDegradation(DownsampleFactor: 2)),
    ];

    /// <summary>Trains one judge, writes its weights and a JSON of how it was made and what it measures.</summary>
    private sealed record Provenance(string Command, string Revision, string Output, int CheckImages, TextWriter Stdout)
    {
        public void Run<TModel>(string judge, string file, JudgeTrainingOptions options, Func<JudgeTrainingOptions, TModel> train,
            Func<TModel, Action<string>> save, Func<TModel, Dictionary<string, object>> measure) where TModel : nn.Module
        {
            int previousThreads = torch.get_num_threads();
            torch.set_num_threads(TrainThreads);
            var clock = Stopwatch.StartNew();
            TModel model;
            try { model = train(options); }
            finally { torch.set_num_threads(previousThreads); }
            double trainSeconds = clock.Elapsed.TotalSeconds;
            using (model)
            {
                string path = Path.Combine(Output, file);
                save(model)(path);
                string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
                long parameters = model.parameters().Sum(p => p.numel());
                Stdout.WriteLine($"{judge}: seed {options.Seed}, {options.Epochs} epochs x {options.ImagesPerIdentity} images per train identity " +
                    $"(batch {options.BatchSize}), {TrainThreads} torch thread, trained in {trainSeconds:F0} s; wrote {path} ({parameters:N0} parameters, sha256 {sha})");
                var measured = measure(model);
                foreach (var metrics in measured.Values) Stdout.WriteLine(metrics);
                var record = new Dictionary<string, object?>
                {
                    ["judge"] = judge, ["command"] = Command, ["revision"] = Revision, ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                    ["device"] = $"CPU, {DeviceDescription.CpuModel()}, {Environment.ProcessorCount} cores, torch threads {TrainThreads}",
                    ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(), ["options"] = options, ["parameters"] = parameters,
                    ["train_seconds"] = Math.Round(trainSeconds, 1), ["total_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                    ["weights"] = file, ["sha256"] = sha, ["held_out_images_per_identity"] = CheckImages, ["held_out"] = measured,
                };
                string json = Path.Combine(Output, Path.ChangeExtension(file, ".json"));
                File.WriteAllText(json, JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }) + "\n");
                Stdout.WriteLine($"{judge}: wrote {json}");
            }
        }
    }
}
