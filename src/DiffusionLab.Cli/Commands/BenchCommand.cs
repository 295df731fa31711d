using System.Diagnostics;
using System.Text.Json;
using DiffusionLab.Data;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench train|sample PRESET --batch B`: throughput and peak memory of the paper recipe on
/// random latents of the preset's shape, one JSON line per measurement (stdout and --out, appended).
/// train: full optimisation steps (both MDT branches, optimizer, EMA). sample: one guided denoiser
/// evaluation per sampling step ([cond; uncond] batch), reported as steps/s and images/s for 250 steps.
/// world: CharacterWorld rendering speed on one thread (images with masks per second).
/// </summary>
public static class BenchCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string>());
        if (args.Positional.Count == 1 && args.Positional[0] == "world") return BenchWorld(args, stdout);
        if (args.Positional.Count == 2 && args.Positional[0] == "story") return BenchStory(args, stdout);
        if (args.Positional.Count < 2 || args.Positional[0] is not ("train" or "sample"))
            throw new UsageException("bench: expected `difflab bench train|sample PRESET --batch B [--device D]`, `difflab bench story PRESET --panels N --mode batch|bank` or `difflab bench world [--size 64] [--images N]`");
        string mode = args.Positional[0], preset = args.Positional[1];
        int batch = args.Int("batch", 0);
        if (batch == 0) throw new UsageException("bench: --batch B is required");
        int steps = args.Int("steps", mode == "train" ? 20 : 50);
        int warmup = args.Int("warmup", 5);
        var device = DeviceOption.Parse(args.Option("device"));
        var model = TrainConfigLoader.ResolveModel(preset, args.All("set"), $"model preset '{preset}'");
        string? output = args.Option("out");
        string precision = args.Option("precision") ?? "fp32";
        if (precision is not ("fp32" or "bf16")) throw new UsageException($"--precision '{precision}': expected fp32 or bf16");
        args.RejectUnknown();

        var row = mode == "train" ? BenchTrain(model, batch, steps, warmup, device, precision) : BenchSample(model, batch, steps, warmup, device);
        var line = new Dictionary<string, object?>
        {
            ["bench"] = mode, ["preset"] = preset, ["batch"] = batch, ["device"] = DeviceDescription.Of(device),
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
            ["precision"] = mode == "train" ? precision : "fp32", ["params"] = row.Params, ["steps"] = steps, ["warmup"] = warmup,
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
        var config = TrainConfigLoader.ResolveModel(preset, args.All("set"), $"model preset '{preset}'");
        string? output = args.Option("out");
        args.RejectUnknown();
        if (!config.IsTextConditioned) throw new UsageException($"bench story: '{preset}' is class-conditional; expected a text preset such as MDTv2-T2I-Tiny/8");

        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        torch.manual_seed(0);
        using var model = new MaskedDiffusionTransformer(config, device);
        model.eval();
        var sampler = new ConsistentStorySampler(model, SpacedDiffusion.Create(BetaSchedule.Create("linear", 1000), $"ddim{steps}"), 5.0,
            new ConsistentAttentionConfig { SamplingRate = rate });
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

    private static void WriteLine(Dictionary<string, object?> line, TextWriter stdout, string? output)
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

    private static Measurement BenchTrain(DenoiserConfig config, int batch, int steps, int warmup, Device device, string precision)
    {
        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        var recipe = PaperRecipe(config, precision);
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

    /// <summary>The paper's training recipe for the architecture (mdt.md §8): MDTv2 Adan + Min-SNR-5 + clip 1; DiT/MDTv1 AdamW.</summary>
    private static TrainConfig PaperRecipe(DenoiserConfig model, string precision)
    {
        bool v2 = model.Architecture == Architecture.MdtV2;
        return new TrainConfig
        {
            Model = model,
            Optimizer = v2 ? new OptimizerSection() : new OptimizerSection { Name = "adamw", LearningRate = model.Architecture == Architecture.DiT ? 1e-4 : 3e-4, GradClip = null },
            Diffusion = new DiffusionSection { MinSnrGamma = v2 ? 5.0 : null },
            Training = new TrainingSection { Precision = precision },
        };
    }

    private static Measurement BenchSample(DenoiserConfig config, int batch, int steps, int warmup, Device device)
    {
        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        torch.manual_seed(0);
        var model = DenoiserFactory.Create(config);
        model.to(device);
        model.eval();
        // Classifier-free guidance evaluates [cond; uncond] in one batch of 2B.
        var x = torch.randn(2 * batch, config.InChannels, config.InputSize, config.InputSize).to(device);
        var y = RandomConditions(config, 2 * batch, includeNull: true).to(device);
        var t = torch.full([2 * batch], 500, dtype: ScalarType.Int64).to(device);

        void OneStep()
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.call(x, t, y);
        }

        double seconds = Time(OneStep, steps, warmup, device);
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
