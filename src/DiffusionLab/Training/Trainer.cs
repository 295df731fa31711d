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
/// Trains a DiT / MDT / MDTv2 on a labelled image set into a <see cref="RunFolder"/>: resolved config,
/// metrics.jsonl, periodic sample grids, evaluations and checkpoints. A run folder that already has a
/// checkpoint is resumed from it and continues exactly as the uninterrupted run would have.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainConfig _config;
    private readonly RunFolder _run;
    private readonly Device _device;
    private readonly TrainingProgress _progress;
    private readonly TrainingStep _machinery;
    private readonly Generator _generator;
    private readonly TrainingData _data;
    private readonly BatchSampler _batches;
    private readonly MetricsLog _metrics;
    private IDisposable? _judges; // loaded at the first evaluation, then reused
    private long _step;
    private double _wallSeconds;

    public Trainer(TrainConfig config, string runDirectory, Device device, TrainingProgress? progress = null)
    {
        _config = config;
        _run = new RunFolder(runDirectory);
        _device = device;
        _metrics = new MetricsLog(_run.MetricsFile);
        _progress = progress ?? TrainingProgress.ForConsole(config.Training.Steps, 0, config.Training.LogEvery);
        if (config.Training.Precision == "bf16" && device.type != DeviceType.CUDA)
            throw new ConfigException("key 'Training.Precision': bf16 is for CUDA devices (on this CPU bf16 training measured 14x slower than fp32); use fp32 or --device cuda");
        // Bad data fails before anything is written to the run folder.
        _data = DatasetLoader.Load(config.Data, config.Model);
        PrepareRunFolder();
        _machinery = new TrainingStep(config, device, config.Training.Seed);
        _generator = new Generator((ulong)config.Training.Seed + 1, torch.CPU);
        _batches = new BatchSampler(_data.Set, config.Training.BatchSize, _generator);

        if (TrainingCheckpoint.Latest(_run.Path) is { } latest) Restore(latest);
    }

    public Denoiser Model => _machinery.Model;
    public Denoiser EmaModel => (Denoiser)_machinery.Ema.Shadow;
    public long Step => _step;
    public RunFolder Run => _run;

    /// <summary>Trains up to Training.Steps (or <paramref name="stopAfter"/> steps, for tests and notebooks).</summary>
    public void Train(long? stopAfter = null, CancellationToken cancellation = default)
    {
        var t = _config.Training;
        long end = Math.Min(t.Steps, stopAfter is { } s ? _step + s : t.Steps);
        var sums = new Dictionary<string, double>();
        int counted = 0;
        var clock = new Stopwatch();
        _progress.StartAt(_step);
        _machinery.Train();
        while (_step < end && !cancellation.IsCancellationRequested)
        {
            clock.Restart();
            using (var scope = torch.NewDisposeScope())
            {
                var (x, y) = _batches.Next(_device);
                var (logged, gradNorm) = _machinery.Run(x, y, _generator);
                foreach (var (k, v) in logged) sums[k] = sums.GetValueOrDefault(k) + v.item<float>();
                if (!double.IsNaN(gradNorm)) sums["grad_norm"] = sums.GetValueOrDefault("grad_norm") + gradNorm;
                counted++;
            }
            _step++;
            _wallSeconds += clock.Elapsed.TotalSeconds;

            if (_step % t.LogEvery == 0 || _step == end)
            {
                var row = new Dictionary<string, double> { ["step"] = _step, ["wall_seconds"] = Math.Round(_wallSeconds, 3) };
                foreach (var (k, v) in sums) row[k] = v / counted;
                row["lr"] = _machinery.Optimizer.LearningRate;
                if (double.IsNaN(row["loss"]) || double.IsInfinity(row["loss"]))
                    throw new InvalidOperationException($"training diverged at step {_step}: loss is {row["loss"]} (lower Optimizer.LearningRate or set Optimizer.GradClip)");
                _metrics.Append(row);
                _progress.Report(_step, row);
                sums.Clear();
                counted = 0;
            }
            bool last = _step == t.Steps;
            if (_step % t.SampleEvery == 0 || last) SaveSampleGrid();
            if ((t.EvaluateEvery > 0 && _step % t.EvaluateEvery == 0) || last) Evaluate();
            // A cancelled run (Ctrl-C) also checkpoints where it stopped, so it resumes without losing steps.
            if (_step % t.CheckpointEvery == 0 || _step == end || cancellation.IsCancellationRequested) SaveCheckpoint();
            if (last) SaveLossCurve();
            _machinery.Train();
        }
    }

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

    private Denoiser SamplingModel => _config.Sampling.UseEma ? EmaModel : _machinery.Model;

    /// <summary>The run's evaluation (FD and class accuracy for MNIST-10k, the CharacterWorld judges' metrics for text-to-image runs), appended to metrics.jsonl.</summary>
    public IReadOnlyDictionary<string, double>? Evaluate()
    {
        if (RunEvaluation.Applies(_config)) _judges ??= RunEvaluation.LoadJudges(_config, _device);
        var result = RunEvaluation.Evaluate(SamplingModel, _config, _device, seed: 1234, _judges);
        if (result is null) return null;
        var row = new Dictionary<string, double> { ["step"] = _step, ["wall_seconds"] = Math.Round(_wallSeconds, 3) };
        foreach (var (k, v) in result) row[k] = v;
        _metrics.Append(row);
        AtomicFile.WriteAllText(_run.EvaluationFile, JsonSerializer.Serialize(row, new JsonSerializerOptions { WriteIndented = true }));
        _progress.Message($"step {_step}: " + string.Join("  ", result.Select(p => $"{p.Key} {p.Value:G5}")));
        return row;
    }

    private void SaveSampleGrid()
    {
        using var scope = torch.NewDisposeScope();
        var images = Sample(_config.Sampling.GridSamples, seed: 42);
        if (_data.Tokenizer is null)
        {
            ImageGrid.Save(images, _config.Model.NumClasses <= 16 ? _config.Model.NumClasses : 8, _run.SampleGrid(_step));
            return;
        }
        ImageGrid.Save(images, SamplesPerPrompt, _run.SampleGrid(_step));
        // The grid's rows, in order: what each row was asked for.
        var rows = SamplePrompts(_config.Sampling.GridSamples).Where((_, i) => i % SamplesPerPrompt == 0);
        AtomicFile.WriteAllText(Path.ChangeExtension(_run.SampleGrid(_step), ".txt"), string.Join("\n", rows) + "\n");
    }

    private void SaveLossCurve()
    {
        var rows = _metrics.ReadAll().Where(r => r.ContainsKey("loss")).ToList();
        if (rows.Count == 0) return;
        var series = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>
        {
            ("loss (full)", rows.Select(r => r["step"]).ToList(), rows.Select(r => r["loss"]).ToList()),
        };
        if (rows.All(r => r.ContainsKey("m_loss")))
            series.Add(("loss (masked)", rows.Select(r => r["step"]).ToList(), rows.Select(r => r["m_loss"]).ToList()));
        LineChart.Save($"{_config.ModelPreset}: training loss", "step", "loss (mse + vb)", series, _run.LossCurveFile, logY: true);
    }

    private void SaveCheckpoint()
    {
        static Dictionary<string, Tensor> StateOf(nn.Module m) => m.state_dict().ToDictionary(p => p.Key, p => p.Value);
        var checkpoint = new TrainingCheckpoint(
            _step, _machinery.Optimizer.StepCount, _wallSeconds, StateOf(_machinery.Model), StateOf(_machinery.Ema.Shadow),
            _machinery.Optimizer.StateTensors().ToDictionary(p => p.Key, p => p.Value),
            _generator.get_state(), JsonSerializer.Serialize(_batches.State), TrainConfigLoader.ToJson(_config).ToJsonString());
        checkpoint.Save(_run.Checkpoint(_step));
    }

    private void Restore(string path)
    {
        var checkpoint = TrainingCheckpoint.Load(path);
        StateDictLoader.LoadStrict(_machinery.Model, checkpoint.Model, path);
        StateDictLoader.LoadStrict(_machinery.Ema.Shadow, checkpoint.Ema, path);
        _machinery.Optimizer.LoadState(checkpoint.Optimizer, checkpoint.OptimizerSteps, path);
        _generator.set_state(checkpoint.GeneratorState);
        _batches.Restore(JsonSerializer.Deserialize<BatchSamplerState>(checkpoint.SamplerState));
        _step = checkpoint.Step;
        _wallSeconds = checkpoint.WallSeconds;
        _metrics.TruncateAfter(_step);
        _progress.Message($"resumed {_run.Path} from step {_step}");
    }

    private void PrepareRunFolder()
    {
        Directory.CreateDirectory(_run.Path);
        var json = TrainConfigLoader.ToJson(_config);
        if (_run.Exists)
        {
            var previous = TrainConfigLoader.Load(_run.ConfigFile);
            // Steps and the logging cadence may change on resume; nothing that shapes the computation may.
            var comparable = previous with { Training = previous.Training with { Steps = _config.Training.Steps } };
            string a = TrainConfigLoader.ToJson(comparable).ToJsonString(), b = json.ToJsonString();
            if (a != b)
                throw new ConfigException($"run '{_run.Path}': exists with a different config ({_run.ConfigFile}); use a new output folder or the same config");
        }
        AtomicFile.WriteAllText(_run.ConfigFile, json.ToJsonString(TrainConfigLoader.JsonOptions));
        if (_data.Tokenizer is { } tokenizer)
        {
            if (File.Exists(_run.TokenizerFile) && !Text.WordTokenizer.Load(_run.TokenizerFile).Equals(tokenizer))
                throw new ConfigException($"run '{_run.Path}': its tokenizer.json differs from the data's tokenizer; use a new output folder");
            tokenizer.Save(_run.TokenizerFile);
        }
    }

    public void Dispose()
    {
        _machinery.Dispose();
        _batches.Dispose();
        _data.Dispose();
        _judges?.Dispose();
        _generator.Dispose();
    }
}
