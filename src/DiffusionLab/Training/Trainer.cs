using System.Diagnostics;
using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// THE training loop: every trained thing of the library (denoisers, PhotoMaker, DreamBooth, encoder pre-training,
/// the judges) is an <see cref="ITrainingObjective"/> over <see cref="ParameterGroup"/>s run by this one loop, which
/// owns the rest once: our optimizers per group, the learning-rate schedule, gradient clipping, bf16 compute with
/// fp32 master weights, EMA, dispose scopes, logging (read back from the device only on log steps), divergence
/// detection, hooks, Ctrl-C, and in a <see cref="RunFolder"/> metrics.jsonl, atomic checkpoints and exact resume.
/// Without a run folder it trains in memory and keeps its logged rows in <see cref="Rows"/>. A run folder is locked
/// (<see cref="RunFolder.Hold"/>) from construction to <see cref="Dispose"/>: a second trainer on it is refused.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ITrainingObjective _objective;
    private readonly TrainerOptions _options;
    private readonly Generator _generator;
    private readonly RunFolder? _run;
    private readonly MetricsLog? _metrics;
    private readonly TrainingProgress _progress;
    private readonly List<(ParameterGroup Group, ParameterOptimizer Optimizer)> _optimizers;
    private readonly List<FlatParameters> _buffers;
    private readonly ExponentialMovingAverage? _ema;
    private readonly List<(FlatParameters Layout, Tensor Flat)> _emaBuffers = [];
    private readonly List<Dictionary<string, double>> _rows = [];
    private readonly List<TrainingHook> _hooks = [];
    private readonly IDisposable? _hold;
    private long _step;
    private double _wallSeconds;

    /// <param name="objective">What a step computes, over which weights (owned by the caller).</param>
    /// <param name="generator">The run's generator: every draw of the objective, saved and restored with checkpoints (owned by the caller).</param>
    /// <param name="options">Length, cadence, optimizer, schedule, EMA and what checkpoints record.</param>
    /// <param name="run">The run folder to log and checkpoint into and resume from; null trains in memory.</param>
    /// <param name="progress">Where progress goes (null: the console).</param>
    public Trainer(ITrainingObjective objective, TrainerOptions options, Generator generator, RunFolder? run = null, TrainingProgress? progress = null)
    {
        if (options.Steps < 0) throw new ConfigException($"training steps: {options.Steps}, expected >= 0");
        if (options.LogEvery < 1) throw new ConfigException($"log interval: {options.LogEvery}, expected >= 1");
        _objective = objective;
        _options = options;
        _generator = generator;
        _run = run;
        _progress = progress ?? TrainingProgress.ForConsole(options.Steps, 0, options.LogEvery);
        var groups = objective.ParameterGroups;
        if (groups.Select(g => g.Name).Distinct().Count() != groups.Count) throw new ArgumentException("parameter groups: names must differ");
        _optimizers = groups.Select(g => (g, OptimizerFactory.Create(options.Optimizer, g.Parameters, g.LearningRate, g.WeightDecay))).ToList();
        _buffers = _optimizers.SelectMany(o => o.Optimizer.Buffers).ToList();
        objective.Bf16?.Bind(_buffers);
        if (options.EmaDecay is { } decay)
        {
            // The average in flat buffers of the optimizer's layout: one lerp per buffer. A shadow module's parameters become views of it.
            var shadow = objective.EmaShadow?.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var b in _buffers)
            {
                var flat = b.Values.detach().clone().DetachFromDisposeScope();
                if (shadow is not null) b.Bind(shadow, flat);
                _emaBuffers.Add((b, flat));
            }
            _ema = new ExponentialMovingAverage(_emaBuffers.Select(e => (e.Flat, e.Layout.Values)).ToList(), decay, options.EmaWarmup);
        }
        if (run is not null)
        {
            // Locked for as long as this trainer lives; a resume that fails leaves the folder as it found it.
            using var start = RunFolderStart.Begin(run);
            _metrics = new MetricsLog(run.MetricsFile);
            if (TrainingCheckpoint.Latest(run.Path) is { } latest)
            {
                start.Remember(run.MetricsFile);
                Restore(latest);
            }
            _hold = start.Commit();
        }
    }

    public long Step => _step;

    /// <summary>Seconds spent in training steps (hooks excluded), across resumes.</summary>
    public double WallSeconds => _wallSeconds;

    public long OptimizerSteps => _optimizers.Count > 0 ? _optimizers[0].Optimizer.StepCount : 0;

    public RunFolder? Run => _run;

    /// <summary>The logged rows of this process (in memory; a run folder also has them in metrics.jsonl).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows => _rows;

    /// <summary>Runs <paramref name="hook"/> between steps when it is due (in the order added, before the checkpoint of that step).</summary>
    public void AddHook(TrainingHook hook) => _hooks.Add(hook);

    /// <summary>Appends a row (e.g. an evaluation) to the run's log at the current step.</summary>
    public void Log(IReadOnlyDictionary<string, double> values)
    {
        var row = new Dictionary<string, double> { ["step"] = _step, ["wall_seconds"] = Math.Round(_wallSeconds, 3) };
        foreach (var (k, v) in values) row[k] = v;
        _rows.Add(row);
        _metrics?.Append(row);
    }

    public TrainingProgress Progress => _progress;

    /// <summary>Trains up to <see cref="TrainerOptions.Steps"/> (or <paramref name="stopAfter"/> more steps); a cancelled run checkpoints where it stopped.</summary>
    public void Train(long? stopAfter = null, CancellationToken cancellation = default)
    {
        long end = Math.Min(_options.Steps, stopAfter is { } s ? _step + s : _options.Steps);
        var sums = new Dictionary<string, Tensor>();
        int counted = 0;
        var clock = new Stopwatch();
        _progress.StartAt(_step);
        _objective.SetTraining(true);
        try
        {
            while (_step < end && !cancellation.IsCancellationRequested)
            {
                clock.Restart();
                using (var scope = torch.NewDisposeScope())
                {
                    foreach (var (k, v) in RunStep())
                    {
                        var value = v.detach().to(ScalarType.Float64);
                        if (sums.TryGetValue(k, out var sum)) sum.add_(value);
                        else sums[k] = value.clone().DetachFromDisposeScope();
                    }
                    counted++;
                }
                _step++;
                _wallSeconds += clock.Elapsed.TotalSeconds;

                if (_step % _options.LogEvery == 0 || _step == end)
                {
                    var row = sums.ToDictionary(p => p.Key, p => p.Value.item<double>() / counted);
                    foreach (var (group, optimizer) in _optimizers) row[group.Name.Length == 0 ? "lr" : $"lr_{group.Name}"] = optimizer.LearningRate;
                    foreach (var t in sums.Values) t.Dispose();
                    sums.Clear();
                    counted = 0;
                    if (row.TryGetValue("loss", out var loss) && !double.IsFinite(loss))
                        throw new InvalidOperationException($"{_options.Stage} training diverged at step {_step}: loss is {loss} ({_options.DivergenceAdvice})");
                    Log(row);
                    _progress.Report(_step, row);
                }
                bool due = false;
                foreach (var hook in _hooks.Where(h => h.IsDue(_step, _options.Steps)))
                {
                    hook.Run(_step);
                    due = true;
                }
                if (_run is not null && ((_options.CheckpointEvery > 0 && _step % _options.CheckpointEvery == 0) || _step == end || cancellation.IsCancellationRequested))
                    SaveCheckpoint();
                if (due) _objective.SetTraining(true);
            }
        }
        finally
        {
            foreach (var t in sums.Values) t.Dispose();
        }
    }

    /// <summary>One optimisation step: the objective's loss, backward, bf16 gradients to the masters, clipping, each group's update, EMA.</summary>
    private IReadOnlyDictionary<string, Tensor> RunStep()
    {
        _objective.PrepareNext(_generator);
        using var region = _options.HoldOffCollection ? new NoCollectionRegion() : null;
        var bf16 = _objective.Bf16;
        bf16?.PullWeights();
        var output = _objective.Compute(_generator);
        foreach (var (_, optimizer) in _optimizers) optimizer.ZeroGrad();
        output.Loss.backward();
        bf16?.PushGradients();
        var logged = new Dictionary<string, Tensor>(output.Logged);
        if (_options.Optimizer.GradClip is { } clip)
            logged["grad_norm"] = GradientClipping.ClipByGlobalNorm(_buffers.Select(b => b.Grads).ToList(), clip);
        double factor = _options.Schedule.Factor(OptimizerSteps);
        foreach (var (group, optimizer) in _optimizers)
        {
            optimizer.LearningRate = group.LearningRate * factor;
            optimizer.Step();
        }
        _ema?.Update(OptimizerSteps);
        return logged;
    }

    /// <summary>
    /// Puts the EMA weights into the trained parameters until disposed (sampling from the average of an adapter stage);
    /// a no-op without EMA or when the average lives in the objective's shadow module.
    /// </summary>
    public IDisposable EmaWeights()
    {
        if (_ema is null || _objective.EmaShadow is not null) return new Undo(null);
        var saved = _ema.Parameters.Select(p => p.Source.detach().clone()).ToList();
        using (no_grad()) foreach (var (ema, source) in _ema.Parameters) source.copy_(ema);
        return new Undo(() =>
        {
            using (no_grad()) for (int i = 0; i < saved.Count; i++) _ema.Parameters[i].Source.copy_(saved[i]);
            foreach (var t in saved) t.Dispose();
        });
    }

    /// <summary>The EMA of each trained weight by name (views of the flat average; null without EMA).</summary>
    public IReadOnlyDictionary<string, Tensor>? EmaByName() =>
        _ema is null ? null : _emaBuffers.SelectMany(e => e.Layout.Views(e.Flat)).ToDictionary(p => p.Key, p => p.Value);

    private sealed class Undo(Action? undo) : IDisposable
    {
        public void Dispose() => undo?.Invoke();
    }

    private IEnumerable<KeyValuePair<string, Tensor>> OptimizerState() =>
        _optimizers.SelectMany(o => o.Optimizer.StateTensors().Select(p => KeyValuePair.Create(o.Group.Name.Length == 0 ? p.Key : $"{o.Group.Name}.{p.Key}", p.Value)));

    private Dictionary<string, Tensor> EmaState()
    {
        if (_objective.EmaShadow is { } shadow) return shadow.state_dict().ToDictionary(p => p.Key, p => p.Value);
        return EmaByName()?.ToDictionary(p => p.Key, p => p.Value) ?? [];
    }

    private void SaveCheckpoint()
    {
        var checkpoint = new TrainingCheckpoint(
            _step, OptimizerSteps, _wallSeconds, _objective.CheckpointWeights().ToDictionary(p => p.Key, p => p.Value), EmaState(),
            OptimizerState().ToDictionary(p => p.Key, p => p.Value), _generator.get_state(), _objective.DataState, _options.ConfigJson,
            _options.Stage, _options.Metadata);
        checkpoint.Save(_run!.Checkpoint(_step));
    }

    private void Restore(string path)
    {
        var checkpoint = TrainingCheckpoint.Load(path);
        if (checkpoint.Stage != _options.Stage)
            throw new ConfigException($"checkpoint '{path}': a {checkpoint.Stage} checkpoint, but this run trains {_options.Stage}; use a new output folder");
        _objective.LoadCheckpointWeights(checkpoint.Model, path);
        if (_ema is not null)
        {
            if (_objective.EmaShadow is { } shadow) StateDictLoader.LoadStrict(shadow, checkpoint.Ema, path);
            else
            {
                using var _ = no_grad();
                foreach (var (name, ema) in EmaByName()!)
                {
                    if (!checkpoint.Ema.TryGetValue(name, out var saved))
                        throw new ConfigException($"checkpoint '{path}': EMA weight '{name}' missing");
                    ema.copy_(saved);
                }
            }
        }
        var state = checkpoint.Optimizer;
        foreach (var (group, optimizer) in _optimizers)
        {
            var own = group.Name.Length == 0 ? state : state.Where(p => p.Key.StartsWith(group.Name + ".", StringComparison.Ordinal))
                .ToDictionary(p => p.Key[(group.Name.Length + 1)..], p => p.Value);
            try { optimizer.LoadState(own, checkpoint.OptimizerSteps, path); }
            catch (InvalidDataException e) { throw new ConfigException(e.Message); }
        }
        _generator.set_state(checkpoint.GeneratorState);
        _objective.RestoreDataState(checkpoint.SamplerState);
        _step = checkpoint.Step;
        _wallSeconds = checkpoint.WallSeconds;
        _metrics!.TruncateAfter(_step);
        _progress.Message($"resumed {_run!.Path} from step {_step}");
    }

    public void Dispose()
    {
        _hold?.Dispose();
        foreach (var (_, optimizer) in _optimizers) optimizer.Dispose();
        // The shadow's parameters are views of the flat average: it lives as long as the objective's shadow does.
        if (_objective.EmaShadow is null) foreach (var (_, flat) in _emaBuffers) flat.Dispose();
    }
}
