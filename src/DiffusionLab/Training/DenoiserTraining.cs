using System.Diagnostics;
using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation;
using DiffusionLab.Imaging;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// A DiT / MDT / MDTv2 training run on a labelled or captioned image set, in a <see cref="RunFolder"/>: resolved
/// config, metrics.jsonl, periodic sample grids, evaluations and checkpoints. It is the one <see cref="Trainer"/>
/// over a <see cref="DenoiserObjective"/>, with the run's sample-grid, evaluation and loss-curve hooks. A run folder
/// that already has a checkpoint is resumed from it and continues exactly as the uninterrupted run would have.
/// </summary>
public sealed class DenoiserTraining : IDisposable
{
    private readonly TrainConfig _config;
    private readonly RunFolder _run;
    private readonly Device _device;
    private readonly Generator _generator;
    private readonly TrainingData _data;
    private readonly DenoiserObjective _objective;
    private readonly Trainer _trainer;
    private readonly IDisposable _hold; // the run folder's lock, for as long as this run lives
    private IDisposable? _judges; // loaded at the first evaluation, then reused

    public DenoiserTraining(TrainConfig config, string runDirectory, Device device, TrainingProgress? progress = null)
    {
        _config = config;
        _run = new RunFolder(runDirectory);
        _device = device;
        // Everything that can be checked is, before the run folder exists: config values, device, data.
        TrainConfigLoader.Validate(config, $"run '{_run.Path}'");
        DeviceAvailability.Check(device);
        if (config.Training.Precision == TrainingPrecision.Bf16 && device.type != DeviceType.CUDA)
            throw new ConfigException("key 'Training.Precision': bf16 is for CUDA devices (on this CPU bf16 training measured 14x slower than fp32); use fp32 or --device cuda");
        _data = DatasetLoader.Load(config.Data, config.Model);
        Dictionary<string, Tensor>? initial = null;
        try
        {
            // A fine-tune's start is read once; a resumed run continues from its own checkpoint.
            if (config.Training.InitialWeights is not null && TrainingCheckpoint.Latest(_run.Path) is null)
                initial = InitialWeights.Load(config, _data.Tokenizer);
            if (config.Training.BatchSize > _data.Set.Count)
                throw new ConfigException($"key 'Training.BatchSize': {config.Training.BatchSize}, expected at most the data set's {_data.Set.Count} images ({DatasetLoader.Describe(config.Data)})");
            using var start = RunFolderStart.Begin(_run);
            PrepareRunFolder(start);
            _generator = new Generator((ulong)config.Training.Seed + 1, torch.CPU);
            _objective = new DenoiserObjective(config, _data.Set, device, _generator);
            if (initial is not null) _objective.StartFrom(initial, config.Training.InitialWeights!);
            var t = config.Training;
            _trainer = new Trainer(_objective, DenoiserObjective.Options(config), _generator, _run,
                progress ?? TrainingProgress.ForConsole(t.Steps, 0, t.LogEvery));
            _trainer.AddHook(new TrainingHook("sample grid", t.SampleEvery, _ => SaveSampleGrid()));
            _trainer.AddHook(EvaluationHook(t, _ => Evaluate()));
            _trainer.AddHook(new TrainingHook("loss curve", 0, _ => SaveLossCurve()));
            _hold = start.Commit();
        }
        catch
        {
            _trainer?.Dispose();
            _objective?.Dispose();
            _generator?.Dispose();
            _data.Dispose();
            throw;
        }
        finally
        {
            if (initial is not null) foreach (var t in initial.Values) t.Dispose();
        }
    }

    public Denoiser Model => _objective.Model;
    public Denoiser EmaModel => _objective.Shadow;
    public long Step => _trainer.Step;
    public RunFolder Run => _run;

    /// <summary>Trains up to Training.Steps (or <paramref name="stopAfter"/> steps, for tests and notebooks).</summary>
    public void Train(long? stopAfter = null, CancellationToken cancellation = default) => _trainer.Train(stopAfter, cancellation);

    /// <summary>
    /// Generates a batch with the configured sampler from the EMA (or raw) weights: class-balanced labels, or
    /// for text-to-image runs the sample prompts in turn (<see cref="SamplePrompts"/>).
    /// </summary>
    public Tensor Sample(int count, long seed)
    {
        using var conditions = _data.Tokenizer is null ? torch.arange(count, dtype: ScalarType.Int64) % _config.Model.NumClasses
            : _data.Tokenizer.EncodeBatch(SamplePrompts(count), _config.Model.TextMaxLength);
        return new SamplingPipeline(SamplingModel, _config).Generate(conditions, seed);
    }

    /// <summary>Samples per prompt in a text-to-image sample grid: one row per prompt.</summary>
    public const int SamplesPerPrompt = 4;

    /// <summary>
    /// The prompts of <see cref="Sample"/> for text-to-image runs: held-out people's captions, each
    /// <see cref="SamplesPerPrompt"/> times in a row (so a grid shows one prompt per row), cycling as needed.
    /// </summary>
    public IReadOnlyList<string> SamplePrompts(int count) =>
        Enumerable.Range(0, count).Select(i => _data.SamplePrompts[i / SamplesPerPrompt % _data.SamplePrompts.Count]).ToList();

    /// <summary>The word tokenizer of a text-to-image run (null for class-conditional runs).</summary>
    public Text.WordTokenizer? Tokenizer => _data.Tokenizer;

    /// <summary>When a run evaluates: every EvaluateEvery-th step, each EvaluateAt step, and its last step.</summary>
    public static TrainingHook EvaluationHook(TrainingSection training, Action<long> evaluate) =>
        new("evaluation", training.EvaluateEvery, evaluate, At: training.EvaluateAt?.Select(s => (long)s).ToHashSet());

    private Denoiser SamplingModel => _config.Sampling.UseEma ? EmaModel : Model;

    /// <summary>The run's evaluation (FD and class accuracy for MNIST-10k, the CharacterWorld judges' metrics for text-to-image runs), appended to metrics.jsonl.</summary>
    public IReadOnlyDictionary<string, double>? Evaluate()
    {
        if (RunEvaluation.Applies(_config)) _judges ??= RunEvaluation.LoadJudges(_config, _device);
        var result = RunEvaluation.Evaluate(SamplingModel, _config.EvaluatedAt(Step), _device, seed: 1234, _judges);
        if (result is null) return null;
        _trainer.Log(result);
        var row = _trainer.Rows[^1];
        AtomicFile.WriteAllText(_run.EvaluationFile, JsonSerializer.Serialize(row, new JsonSerializerOptions { WriteIndented = true }));
        _trainer.Progress.Message($"step {Step}: " + string.Join("  ", result.Select(p => $"{p.Key} {p.Value:G5}")));
        return row;
    }

    private void SaveSampleGrid()
    {
        using var scope = torch.NewDisposeScope();
        var images = Sample(_config.Sampling.GridSamples, seed: 42);
        if (_data.Tokenizer is null)
        {
            ImageGrid.Save(images, _config.Model.NumClasses <= 16 ? _config.Model.NumClasses : 8, _run.SampleGrid(Step));
            return;
        }
        ImageGrid.Save(images, SamplesPerPrompt, _run.SampleGrid(Step));
        // The grid's rows, in order: what each row was asked for.
        var rows = SamplePrompts(_config.Sampling.GridSamples).Where((_, i) => i % SamplesPerPrompt == 0);
        AtomicFile.WriteAllText(Path.ChangeExtension(_run.SampleGrid(Step), ".txt"), string.Join("\n", rows) + "\n");
    }

    private void SaveLossCurve()
    {
        // The same series as the notebooks' interactive loss chart (RunMetrics.Loss): full branch, and MDT's masked one.
        var series = RunMetrics.Loss(_run.Path);
        if (series.Count == 0) return;
        LineChart.Save($"{_config.ModelPreset}: training loss", "step", "loss (mse + vb)", series, _run.LossCurveFile, logY: true);
    }

    /// <summary>
    /// Writes config.json (and a text run's tokenizer.json) under the start's lock. An existing run is resumed only with
    /// its own config, Training.Steps aside (a run is extended by raising it); anything else is refused with one line.
    /// </summary>
    private void PrepareRunFolder(RunFolderStart start)
    {
        var json = TrainConfigLoader.ToJson(_config);
        if (_run.Exists)
        {
            var previous = TrainConfigLoader.Load(_run.ConfigFile);
            // Steps may change on resume; nothing that shapes the computation may.
            var comparable = TrainConfigLoader.ToJson(previous with { Training = previous.Training with { Steps = _config.Training.Steps } });
            if (comparable.ToJsonString() != json.ToJsonString())
                throw RunConfigMismatch.Refusal(_run, comparable, json, "Training.Steps");
        }
        start.Remember(_run.ConfigFile);
        AtomicFile.WriteAllText(_run.ConfigFile, json.ToJsonString(TrainConfigLoader.JsonOptions));
        if (_data.Tokenizer is { } tokenizer)
        {
            if (File.Exists(_run.TokenizerFile) && !Text.WordTokenizer.Load(_run.TokenizerFile).Equals(tokenizer))
                throw new ConfigException($"run '{_run.Path}': its tokenizer.json differs from the data's tokenizer; train into another output folder");
            start.Remember(_run.TokenizerFile);
            tokenizer.Save(_run.TokenizerFile);
        }
    }

    public void Dispose()
    {
        _hold.Dispose();
        _trainer.Dispose();
        _objective.Dispose();
        _data.Dispose();
        _judges?.Dispose();
        _generator.Dispose();
    }
}
