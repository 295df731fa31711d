using System.Diagnostics;
using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench train|sample PRESET --batch B`: throughput and peak memory of the paper recipe on
/// random latents of the preset's shape, one JSON line per measurement (stdout and --out, appended).
/// train: full optimisation steps (both MDT branches, optimizer, EMA). sample: the sampling pipeline over
/// the model's own diffusion (a run's config, or a preset's default sections) with guidance ([cond; uncond]
/// batch) for --steps respaced steps, reported as steps/s and images/s extrapolated to 250 steps.
/// PRESET may also be a run folder or checkpoint: its config and trained weights are used.
/// world: CharacterWorld rendering speed on one thread (images with masks per second).
/// </summary>
public static class BenchCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string>());
        if (args.Positional.Count == 1 && args.Positional[0] == "world") return BenchWorld(args, stdout);
        if (args.Positional.Count == 2 && args.Positional[0] == "story") return BenchStory(args, stdout);
        if (args.Positional.Count == 2 && args.Positional[0] == "compare") return BenchCompare.Run(args, stdout);
        if (args.Positional.Count == 1 && args.Positional[0] == "optimizer") return BenchOptimizer.Run(args, stdout);
        if (args.Positional.Count == 2 && args.Positional[0] == "chart") return BenchChart.Run(args, stdout);
        if (args.Positional.Count < 2 || args.Positional[0] is not ("train" or "sample"))
            throw new UsageException("bench: expected `difflab bench train|sample PRESET --batch B [--device D]` (sample: PRESET or RUN, [--guidance W]), `difflab bench story PRESET --panels N --mode batch|bank` , `difflab bench world [--size 64] [--images N]`, `difflab bench compare PRESET --batch B` or `difflab bench optimizer [--tensors N]`");
        string mode = args.Positional[0], preset = args.Positional[1];
        int batch = args.Int("batch", 0);
        if (batch == 0) throw new UsageException("bench: --batch B is required");
        int steps = args.Int("steps", mode == "train" ? 20 : 50);
        int warmup = args.Int("warmup", 5);
        if (mode == "sample" && steps < 2) throw new UsageException($"bench sample: --steps {steps}: expected at least 2 (a respaced process keeps two steps or more)");
        var device = DeviceOption.Parse(args.Option("device"));
        var config = BenchConfig(preset, args.All("set"), out var trained);
        using var _ = trained;
        var model = config.Model;
        string? output = args.Option("out");
        double guidance = args.Double("guidance", 4.0, 1, 100);
        string recipeWord = args.Option("recipe") ?? "paper";
        if (recipeWord is not ("paper" or "peer")) throw new UsageException($"--recipe '{recipeWord}': expected \"paper\" (the paper's optimizer, clip and loss weighting) or \"peer\" (the official benchmark's: AdamW 1e-4, no clip)");
        int threads = args.Int("threads", 0);
        if (threads < 0) throw new UsageException($"--threads {threads}: expected a positive number (0: libtorch's default)");
        if (threads > 0) torch.set_num_threads(threads);
        string precisionWord = args.Option("precision") ?? ConfigChoice.Name(TrainingPrecision.Fp32);
        if (!ConfigChoice.TryParse<TrainingPrecision>(precisionWord, out var precision))
            throw new UsageException($"--precision '{precisionWord}': expected {ConfigChoice.Expected<TrainingPrecision>()}");
        args.RejectUnknown();

        var row = mode == "train" ? BenchTrain(recipeWord == "peer" ? PeerRecipe(model, precision) : PaperRecipe(model, precision), batch, steps, warmup, device)
            : BenchSample(config, trained, guidance, batch, steps, warmup, device);
        var line = new Dictionary<string, object?>
        {
            ["bench"] = mode, ["preset"] = preset, ["batch"] = batch, ["device"] = DeviceDescription.Of(device),
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
            ["precision"] = ConfigChoice.Name(mode == "train" ? precision : TrainingPrecision.Fp32), ["params"] = row.Params, ["steps"] = steps, ["warmup"] = warmup,
            ["threads"] = torch.get_num_threads(), ["recipe"] = mode == "train" ? recipeWord : null,
            ["steps_per_s"] = Math.Round(row.StepsPerSecond, 4), ["images_per_s"] = Math.Round(row.ImagesPerSecond, 2),
            ["peak_memory_bytes"] = row.PeakBytes, ["peak_memory_source"] = row.MemorySource,
        };
        WriteLine(line, stdout, output);
        return 0;
    }

    /// <summary>
    /// `bench story`: time and peak memory of generating a story of N panels with consistent self-attention,
    /// either all panels in one batch with mutual CSA ("batch", the paper's formulation) or the write/read
    /// protocol ("bank": the first refs panels together writing a bank, then each other panel alone reading
    /// it). Random weights and random prompts: the cost does not depend on what the network learned. Run one
    /// configuration per process, since the CPU measure is the process's peak resident set.
    /// </summary>
    private static int BenchStory(Arguments args, TextWriter stdout)
    {
        string preset = args.Positional[1];
        int panels = args.Int("panels", 0);
        if (panels == 0) throw new UsageException("bench story: --panels N is required");
        string mode = args.Option("mode") ?? throw new UsageException("bench story: --mode batch|bank is required");
        if (mode is not ("batch" or "bank")) throw new UsageException($"--mode '{mode}': expected batch or bank");
        int refs = Math.Min(args.Int("refs", 2), panels), steps = args.Int("steps", 10);
        double rate = args.Double("rate", 0.5, 0, 1);
        var device = DeviceOption.Parse(args.Option("device"));
        var run = BenchConfig(preset, args.All("set"), out var trained);
        using var _ = trained;
        var config = run.Model;
        string? output = args.Option("out");
        args.RejectUnknown();
        if (!config.IsTextConditioned) throw new UsageException($"bench story: '{preset}' is class-conditional; expected a text preset such as MDTv2-T2I-Tiny/8");

        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        torch.manual_seed(0);
        using var fresh = trained is null ? new MaskedDiffusionTransformer(config, device) : null;
        var model = fresh ?? trained!.Model.to(device);
        model.eval();
        var sampling = run.Sampling with { Sampler = SamplerKind.Ddim, Respacing = $"ddim{steps}", Eta = 0, GuidanceScale = 5.0, GuidancePower = null, GuidedChannels = GuidedChannels.All };
        var sampler = new ConsistentStorySampler(new SamplingPipeline(model, run with { Sampling = sampling }), new ConsistentAttentionConfig { SamplingRate = rate });
        var prompts = RandomConditions(config, panels, includeNull: false);
        long bankBytes = 0;
        var clock = Stopwatch.StartNew();
        if (mode == "batch") sampler.GenerateTogether(prompts, Enumerable.Range(0, panels).Select(i => (long)i).ToList()).Dispose();
        else
        {
            using var bank = new CharacterBank("bench");
            sampler.GenerateReferences(prompts[..refs], Enumerable.Range(0, refs).Select(i => (long)i).ToList(), bank).Dispose();
            for (int i = refs; i < panels; i++) sampler.GeneratePanels(prompts[i..(i + 1)], [0], [bank]).Dispose();
            bankBytes = bank.Bytes;
        }
        Synchronize(device);
        double seconds = clock.Elapsed.TotalSeconds;
        var line = new Dictionary<string, object?>
        {
            ["bench"] = "story", ["preset"] = preset, ["mode"] = mode, ["panels"] = panels, ["refs"] = mode == "bank" ? refs : null,
            ["rate"] = rate, ["ddim_steps"] = steps, ["device"] = DeviceDescription.Of(device), ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["seconds"] = Math.Round(seconds, 3), ["seconds_per_panel"] = Math.Round(seconds / panels, 3), ["bank_bytes"] = bankBytes,
            ["peak_memory_bytes"] = probe.PeakBytes, ["peak_memory_source"] = probe.Source,
        };
        WriteLine(line, stdout, output);
        return 0;
    }

    internal static void WriteLine(Dictionary<string, object?> line, TextWriter stdout, string? output)
    {
        string json = JsonSerializer.Serialize(line);
        stdout.WriteLine(json);
        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.AppendAllText(output, json + "\n");
        }
    }

    /// <summary>
    /// `bench world`: CharacterWorld images (colour pass and person mask, caption included) rendered
    /// one after another on the calling thread, walking the train index space identity by identity.
    /// </summary>
    private static int BenchWorld(Arguments args, TextWriter stdout)
    {
        int size = args.Int("size", 64), images = args.Int("images", 2000), warmup = args.Int("warmup", 100);
        string? output = args.Option("out");
        args.RejectUnknown();
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = size });
        var dataset = new CharacterWorldDataset(world, WorldSplit.Train);
        long checksum = 0;
        void RenderAt(long i)
        {
            var (identity, index) = dataset.Item(i % dataset.Count);
            var image = world.Render(identity, index);
            checksum += image.Pixels[image.Pixels.Length / 2] + image.Mask[image.Mask.Length / 2];
        }
        for (int i = 0; i < warmup; i++) RenderAt(dataset.Count - 1 - i);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < images; i++) RenderAt(i);
        double seconds = clock.Elapsed.TotalSeconds;
        var line = new Dictionary<string, object?>
        {
            ["bench"] = "world", ["size"] = size, ["images"] = images, ["warmup"] = warmup, ["threads"] = 1,
            ["device"] = $"CPU, {DeviceDescription.CpuModel()}, {Environment.ProcessorCount} cores", ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["renderer_version"] = CharacterWorld.RendererVersion, ["seconds"] = Math.Round(seconds, 3),
            ["images_per_s"] = Math.Round(images / seconds, 1), ["checksum"] = checksum,
        };
        WriteLine(line, stdout, output);
        return 0;
    }

    private sealed record Measurement(long Params, double StepsPerSecond, double ImagesPerSecond, long? PeakBytes, string MemorySource);

    private static Measurement BenchTrain(TrainConfig recipe, int batch, int steps, int warmup, Device device)
    {
        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        var config = recipe.Model;
        recipe = recipe with { Training = recipe.Training with { BatchSize = batch, Steps = warmup + steps, LogEvery = warmup + steps } };
        // One batch of data: every step trains on the same images in a new order, so data loading stays out of the measure.
        using var data = new TensorTrainingSet(torch.randn(batch, config.InChannels, config.InputSize, config.InputSize), RandomConditions(config, batch, includeNull: false));
        using var generator = new Generator(0, torch.CPU);
        using var objective = new DenoiserObjective(recipe, data, device, generator);
        using var trainer = new Trainer(objective, DenoiserObjective.Options(recipe), generator, run: null,
            new TrainingProgress(TextWriter.Null, interactive: false, recipe.Training.Steps, 0, recipe.Training.LogEvery));
        trainer.Train(stopAfter: warmup);
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        trainer.Train(stopAfter: steps);
        Synchronize(device);
        double seconds = clock.Elapsed.TotalSeconds;
        long parameters = objective.Model.parameters().Sum(p => p.numel());
        return new Measurement(parameters, steps / seconds, steps * batch / seconds, probe.PeakBytes, probe.Source);
    }

    /// <summary>
    /// The step the official benchmark times (../shared/peers/bench_official.py, its README): AdamW lr 1e-4 without
    /// weight decay or clipping for every architecture, MDT's Min-SNR-5 loss weighting (its diffusion copy has it), EMA.
    /// </summary>
    private static TrainConfig PeerRecipe(DenoiserConfig model, TrainingPrecision precision) => new()
    {
        Model = model,
        Optimizer = new OptimizerSection { Name = OptimizerKind.AdamW, LearningRate = 1e-4, GradClip = null },
        Diffusion = new DiffusionSection { MinSnrGamma = model.Architecture == Architecture.DiT ? null : 5.0 },
        Training = new TrainingSection { Precision = precision },
    };

    /// <summary>The paper's training recipe for the architecture (mdt.md §8): MDTv2 Adan + Min-SNR-5 + clip 1; DiT/MDTv1 AdamW.</summary>
    private static TrainConfig PaperRecipe(DenoiserConfig model, TrainingPrecision precision)
    {
        bool v2 = model.Architecture == Architecture.MdtV2;
        return new TrainConfig
        {
            Model = model,
            Optimizer = v2 ? new OptimizerSection() : new OptimizerSection { Name = OptimizerKind.AdamW, LearningRate = model.Architecture == Architecture.DiT ? 1e-4 : 3e-4, GradClip = null },
            Diffusion = new DiffusionSection { MinSnrGamma = v2 ? 5.0 : null },
            Training = new TrainingSection { Precision = precision },
        };
    }

    /// <summary>
    /// The config a bench measures: a run folder's or checkpoint's own (its weights loaded into <paramref name="trained"/>),
    /// or a preset with the run config's default data, diffusion and sampling sections (random weights).
    /// </summary>
    private static TrainConfig BenchConfig(string presetOrRun, IEnumerable<string> overrides, out TrainedModel? trained)
    {
        trained = null;
        if (!Directory.Exists(presetOrRun) && !File.Exists(presetOrRun))
        {
            var model = TrainConfigLoader.ResolveModel(presetOrRun, overrides, $"model preset '{presetOrRun}'");
            return new TrainConfig { Model = model, ModelPreset = presetOrRun, Data = new DataSection { Dataset = model.IsTextConditioned ? DatasetKind.CharacterWorld : DatasetKind.Mnist10k } };
        }
        trained = TrainedModel.Load(presetOrRun, overrides);
        return trained.Config;
    }

    private static Measurement BenchSample(TrainConfig config, TrainedModel? trained, double guidance, int batch, int steps, int warmup, Device device)
    {
        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        torch.manual_seed(0);
        var model = trained?.Model ?? DenoiserFactory.Create(config.Model);
        model.to(device);
        // The model's own diffusion and sampler, respaced to the measured step count; guidance evaluates [cond; uncond] as one batch of 2B.
        var pipeline = new SamplingPipeline(model, config with { Sampling = config.Sampling with { Respacing = $"{steps}", GuidanceScale = guidance } });
        using var conditions = RandomConditions(config.Model, batch, includeNull: false);
        // A respaced process keeps at least two steps.
        if (warmup > 0) pipeline.With(pipeline.Settings with { Respacing = $"{Math.Max(2, warmup)}" }).Generate(conditions, 0).Dispose();
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        pipeline.Generate(conditions, 0).Dispose();
        Synchronize(device);
        double seconds = clock.Elapsed.TotalSeconds;
        long parameters = model.parameters().Sum(p => p.numel());
        double stepsPerSecond = steps / seconds;
        return new Measurement(parameters, stepsPerSecond, stepsPerSecond * batch / 250.0, probe.PeakBytes, probe.Source);
    }

    /// <summary>Class labels, or prompts of 12 random words (BOS … EOS, padded) for text-conditioned networks.</summary>
    private static Tensor RandomConditions(DenoiserConfig config, int batch, bool includeNull)
    {
        if (!config.IsTextConditioned) return torch.randint(0, config.NumClasses + (includeNull ? 1 : 0), [batch], dtype: ScalarType.Int64);
        int words = Math.Min(12, config.TextMaxLength - 2);
        var ids = torch.zeros(batch, config.TextMaxLength, dtype: ScalarType.Int64);
        ids[.., 0] = WordTokenizer.BosId;
        ids[.., 1..(words + 1)] = torch.randint(WordTokenizer.UnkId + 1, config.TextVocabSize, [batch, words], dtype: ScalarType.Int64);
        ids[.., words + 1] = WordTokenizer.EosId;
        return ids;
    }

    private static double Time(Action step, int steps, int warmup, Device device)
    {
        for (int i = 0; i < warmup; i++) step();
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        Synchronize(device);
        return clock.Elapsed.TotalSeconds;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
    }

}
