using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
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
/// PRESET may also be a run folder, a checkpoint or a shipped model (zoo:NAME): its config and trained weights are used.
/// The other benchmarks: <see cref="BenchStory"/>, <see cref="BenchWorld"/>, <see cref="BenchCompare"/>,
/// <see cref="BenchOptimizer"/>, and <see cref="BenchChart"/> to draw compare's summaries.
/// </summary>
public static class BenchCommand
{
    public static Command Definition() => CommandGroup.Create("bench", "Measure speed and peak memory, one JSON line per measurement (printed, and appended to --out)",
        TrainDefinition(), SampleDefinition(), BenchStory.Definition(), BenchWorld.Definition(), BenchCompare.Definition(), BenchOptimizer.Definition(), BenchChart.Definition());

    private static Command TrainDefinition()
    {
        var m = new MeasureOptions(defaultSteps: 20);
        var precision = CliOptions.Choice("--precision", "the training precision", TrainingPrecision.Fp32);
        var recipe = CliOptions.Choice("--recipe", "paper: the paper's optimizer, clip and loss weighting; peer: the official benchmark's (AdamW 1e-4, no clip)", ["paper", "peer"], "paper");
        var command = new Command("train", "Training steps per second of a preset's paper recipe (both MDT branches, optimizer, EMA) on random data");
        m.AddTo(command);
        command.Options.Add(precision);
        command.Options.Add(recipe);
        command.SetAction(parse => RunTrain(parse.GetRequiredValue(m.Preset), parse.GetValue(m.Batch), parse.GetValue(m.Steps), parse.GetValue(m.Warmup), parse.GetValue(m.Threads),
            CliOptions.Word<TrainingPrecision>(parse.GetRequiredValue(precision)), parse.GetRequiredValue(recipe), parse.GetValue(m.Overrides) ?? [], DeviceOption.Parse(parse.GetValue(m.Device)), parse.GetValue(m.Output),
            parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command SampleDefinition()
    {
        var m = new MeasureOptions(defaultSteps: 50);
        m.Steps.Check(steps => steps >= 2, steps => $"bench sample: --steps {steps}: expected at least 2 (a respaced process keeps two steps or more)");
        var guidance = CliOptions.Number("--guidance", "W", "the classifier-free guidance scale ([cond; uncond] as one batch of 2B)", 4.0, 1, 100);
        var sampler = CliOptions.Choice("--sampler", "ddim: respaced as ddimN (the official DDIM spacing); ddpm: ancestral, respaced as N", SamplerKind.Ddim);
        var command = new Command("sample", "Sampling steps per second (and images per second at 250 steps) of a preset or a trained run, with guidance");
        m.AddTo(command);
        command.Options.Add(guidance);
        command.Options.Add(sampler);
        command.SetAction(parse => RunSample(parse.GetRequiredValue(m.Preset), parse.GetValue(m.Batch), parse.GetValue(m.Steps), parse.GetValue(m.Warmup), parse.GetValue(m.Threads),
            parse.GetValue(guidance), CliOptions.Word<SamplerKind>(parse.GetRequiredValue(sampler)), parse.GetValue(m.Overrides) ?? [], DeviceOption.Parse(parse.GetValue(m.Device)),
            parse.GetValue(m.Output), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>What `bench train` and `bench sample` both take.</summary>
    private sealed class MeasureOptions(int defaultSteps)
    {
        public Argument<string> Preset { get; } = PresetArgument();
        public Option<int> Batch { get; } = CliOptions.RequiredInt("--batch", "B", "the batch size");
        public Option<int> Steps { get; } = CliOptions.Int("--steps", "N", "measured steps", defaultSteps);
        public Option<int> Warmup { get; } = CliOptions.Int("--warmup", "W", "steps run before the measurement", 5, min: 0);
        public Option<int> Threads { get; } = CliOptions.Int("--threads", "T", "libtorch's CPU threads (0: libtorch's default)", 0, min: 0);
        public Option<string[]> Overrides { get; } = CliOptions.Overrides("override a key of the preset's model config (or the run's config), e.g. Depth=4");
        public Option<string> Device { get; } = DeviceOption.Create();
        public Option<string> Output { get; } = OutputOption();

        public void AddTo(Command command)
        {
            command.Arguments.Add(Preset);
            foreach (var option in new Option[] { Batch, Steps, Warmup, Threads, Overrides, Device, Output }) command.Options.Add(option);
        }
    }

    /// <summary>PRESET (or a run folder or checkpoint: its config and trained weights), completed from the preset names.</summary>
    internal static Argument<string> PresetArgument(string description = "a model preset (e.g. MDTv2-S/2), or a run folder or checkpoint: its config and trained weights")
    {
        var preset = new Argument<string>("PRESET") { HelpName = "PRESET", Description = description };
        preset.CompletionSources.Add([.. DenoiserPresets.Names]);
        return preset;
    }

    internal static Option<string> OutputOption() => new("--out") { HelpName = "FILE.jsonl", Description = "also append the JSON line(s) to this file" };

    public static int RunTrain(string preset, int batch, int steps, int warmup, int threads, TrainingPrecision precision, string recipe, IReadOnlyList<string> overrides,
        Device device, string? output, TextWriter stdout)
    {
        if (threads > 0) torch.set_num_threads(threads);
        var config = BenchConfig(preset, overrides, out var trained);
        using var _ = trained;
        var row = BenchTrain(recipe == "peer" ? PeerRecipe(config.Model, precision) : PaperRecipe(config.Model, precision), batch, steps, warmup, device);
        WriteLine(Line("train", preset, batch, steps, warmup, precision, recipe, row, device), stdout, output);
        return 0;
    }

    public static int RunSample(string preset, int batch, int steps, int warmup, int threads, double guidance, SamplerKind sampler, IReadOnlyList<string> overrides,
        Device device, string? output, TextWriter stdout)
    {
        if (threads > 0) torch.set_num_threads(threads);
        var config = BenchConfig(preset, overrides, out var trained);
        using var _ = trained;
        var row = BenchSample(config, trained, guidance, sampler, batch, steps, warmup, device);
        var line = Line("sample", preset, batch, steps, warmup, TrainingPrecision.Fp32, null, row, device);
        line["sampler"] = ConfigChoice.Name(sampler);
        line["guidance"] = guidance;
        line["seconds"] = Math.Round(steps / row.StepsPerSecond, 4);
        line["cpu_seconds"] = Math.Round(row.CpuSeconds!.Value, 4);
        line["images_per_cpu_s"] = Math.Round(steps / row.CpuSeconds.Value * batch / 250.0, 4);
        // What bounds the step: the network's multiply-adds per second against a plain GEMM of the block's shape here.
        long macs = ForwardMacs.Inference(config.Model);
        int rows = guidance == 1 ? batch : 2 * batch;
        line["forward_gmacs_per_image"] = Math.Round(macs / 1e9, 4);
        line["achieved_gflop_per_s"] = Math.Round(2.0 * macs * rows * row.StepsPerSecond / 1e9, 1);
        line["gemm_gflop_per_s"] = Math.Round(GemmGflops(rows * (long)config.Model.NumTokens, config.Model.HiddenSize, device), 1);
        WriteLine(line, stdout, output);
        return 0;
    }

    /// <summary>GFLOP/s of one (rows × width) @ (width × 4·width) fp32 GEMM, the MLP's first layer at this batch: the ceiling a forward of such layers can reach.</summary>
    private static double GemmGflops(long rows, int width, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(rows, width, device: device);
        var w = torch.randn(4 * width, width, device: device);
        for (int i = 0; i < 3; i++) nn.functional.linear(a, w);
        Synchronize(device);
        const int reps = 10;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) nn.functional.linear(a, w);
        Synchronize(device);
        return 2.0 * rows * width * 4 * width * reps / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static Dictionary<string, object?> Line(string mode, string preset, int batch, int steps, int warmup, TrainingPrecision precision, string? recipe, Measurement row, Device device) => new()
    {
        ["bench"] = mode, ["preset"] = preset, ["batch"] = batch, ["device"] = DeviceDescription.Of(device),
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
        ["precision"] = ConfigChoice.Name(precision), ["params"] = row.Params, ["steps"] = steps, ["warmup"] = warmup,
        ["threads"] = torch.get_num_threads(), ["recipe"] = recipe,
        ["steps_per_s"] = Math.Round(row.StepsPerSecond, 4), ["images_per_s"] = Math.Round(row.ImagesPerSecond, 2),
        ["peak_memory_bytes"] = row.PeakBytes, ["peak_memory_source"] = row.MemorySource,
    };

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

    /// <param name="CpuSeconds">The process's CPU time over the measurement (sampling only): on one thread, a measure that other jobs on the machine barely move.</param>
    private sealed record Measurement(long Params, double StepsPerSecond, double ImagesPerSecond, long? PeakBytes, string MemorySource, double? CpuSeconds = null);

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
    internal static TrainConfig BenchConfig(string presetOrRun, IEnumerable<string> overrides, out TrainedModel? trained)
    {
        trained = null;
        if (!Directory.Exists(presetOrRun) && !File.Exists(presetOrRun) && !ModelZoo.IsZooName(presetOrRun))
        {
            var model = TrainConfigLoader.ResolveModel(presetOrRun, overrides, $"model preset '{presetOrRun}'");
            return new TrainConfig { Model = model, ModelPreset = presetOrRun, Data = new DataSection { Dataset = model.IsTextConditioned ? DatasetKind.CharacterWorld : DatasetKind.Mnist10k } };
        }
        trained = TrainedModel.Load(presetOrRun, overrides);
        return trained.Config;
    }

    private static Measurement BenchSample(TrainConfig config, TrainedModel? trained, double guidance, SamplerKind sampler, int batch, int steps, int warmup, Device device)
    {
        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        torch.manual_seed(0);
        var model = trained?.Model ?? DenoiserFactory.Create(config.Model);
        model.to(device);
        // The model's own diffusion and sampler, respaced to the measured step count; guidance evaluates [cond; uncond] as one batch of 2B.
        string Spacing(int n) => sampler == SamplerKind.Ddim ? $"ddim{n}" : $"{n}";
        var pipeline = new SamplingPipeline(model, config with { Sampling = config.Sampling with { Sampler = sampler, Respacing = Spacing(steps), GuidanceScale = guidance } });
        using var conditions = RandomConditions(config.Model, batch, includeNull: false);
        // A respaced process keeps at least two steps.
        if (warmup > 0) pipeline.With(pipeline.Settings with { Respacing = Spacing(Math.Max(2, warmup)) }).Generate(conditions, 0).Dispose();
        Synchronize(device);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        pipeline.Generate(conditions, 0).Dispose();
        Synchronize(device);
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        long parameters = model.parameters().Sum(p => p.numel());
        double stepsPerSecond = steps / seconds;
        return new Measurement(parameters, stepsPerSecond, stepsPerSecond * batch / 250.0, probe.PeakBytes, probe.Source, cpuSeconds);
    }

    /// <summary>Class labels, or prompts of 12 random words (BOS … EOS, padded) for text-conditioned networks.</summary>
    internal static Tensor RandomConditions(DenoiserConfig config, int batch, bool includeNull)
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

    internal static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
    }

}
