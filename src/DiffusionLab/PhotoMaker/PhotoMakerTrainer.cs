using System.Diagnostics;
using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Imaging;
using DiffusionLab.Mdt;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Trains PhotoMaker's stacked-ID encoder and backbone adapters on a frozen text-to-image MDT (photomaker.md §2) into
/// a run folder: config.json, tokenizer.json (the base run's), metrics.jsonl, checkpoints/ (<see cref="PhotoMakerCheckpoint"/>)
/// and samples/ (rows of held-out people's references → a generation). A run folder with a checkpoint is resumed from
/// it and continues exactly as the uninterrupted run would have (generator state and target-sampler position are saved).
/// </summary>
public sealed class PhotoMakerTrainer : IDisposable
{
    private readonly PhotoMakerConfig _config;
    private readonly RunFolder _run;
    private readonly Device _device;
    private readonly TrainingProgress _progress;
    private readonly TrainedModel _base;
    private readonly CharacterWorld _world;
    private readonly CharacterWorldDataset _dataset;
    private readonly PhotoMakerExamples _examples;
    private readonly GaussianDiffusion _diffusion;
    private readonly LossWeighting _weighting;
    private readonly Generator _generator;
    private readonly BatchSampler _targets;
    private readonly AdamW _adapterOptimizer;
    private readonly AdamW _encoderOptimizer;
    private readonly Dictionary<string, Tensor>? _ema;
    private readonly TextEmbedding _nullText;
    private readonly MetricsLog _metrics;
    private long _step;
    private double _wallSeconds;

    public PhotoMakerTrainer(PhotoMakerConfig config, string runDirectory, Device device, TrainingProgress? progress = null)
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ConfigException($"PhotoMaker config: {problems[0]}");
        _config = config;
        _run = new RunFolder(runDirectory);
        _device = device;
        _progress = progress ?? TrainingProgress.ForConsole(config.Steps, 0, config.LogEvery);
        _base = LoadBase(config, device);
        try
        {
            var baseConfig = _base.Config;
            if (_base.Model is not MaskedDiffusionTransformer backbone || _base.Tokenizer is null)
                throw new ConfigException($"key 'BaseCheckpoint': '{config.BaseCheckpoint}' is not a text-to-image MDT run");
            if (baseConfig.Data.Dataset != "characterworld")
                throw new ConfigException($"key 'BaseCheckpoint': its run trained on '{baseConfig.Data.Dataset}'; PhotoMaker training needs CharacterWorld's identity groups and person masks");
            if (config.References == ReferenceSource.OtherImages && baseConfig.Data.ImagesPerIdentity <= config.MaxReferences)
                throw new ConfigException($"key 'MaxReferences': {config.MaxReferences} other images per target, but the base run's world has {baseConfig.Data.ImagesPerIdentity} images per identity");
            _world = new CharacterWorld(DatasetLoader.WorldConfig(baseConfig.Data, baseConfig.Model.InputSize));
            _dataset = new CharacterWorldDataset(_world, WorldSplit.Train, baseConfig.Data.Cache);
            _examples = new PhotoMakerExamples(_dataset, _base.Tokenizer, baseConfig.Model.TextMaxLength, config);
            PrepareRunFolder();

            using (var init = new Generator((ulong)config.Seed, CPU)) Model = new PhotoMakerModel(backbone, config, init);
            // Once, when the run starts: a resumed run's checkpoint already holds the pre-trained encoder.
            if (config.EncoderPretrainSteps > 0 && TrainingCheckpoint.Latest(_run.Path) is null) PretrainEncoder();
            _generator = new Generator((ulong)config.Seed + 1, CPU);
            _targets = new BatchSampler(_dataset.Count, config.BatchSize, _generator);
            var (b1, b2) = config.Betas is { } b ? (b[0], b[1]) : (0.9, 0.999);
            _adapterOptimizer = new AdamW(Model.AdapterParameters(), config.AdapterLearningRate, b1, b2, weightDecay: config.WeightDecay);
            _encoderOptimizer = new AdamW(Model.EncoderParameters(), config.EncoderLearningRate, b1, b2, weightDecay: config.WeightDecay);
            if (config.EmaDecay is not null) _ema = Model.TrainedWeights().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
            _diffusion = new GaussianDiffusion(BetaSchedule.Create(baseConfig.Diffusion.Schedule, baseConfig.Diffusion.Timesteps), baseConfig.Model.LearnSigma);
            _weighting = config.MinSnrGamma is { } gamma ? LossWeighting.MinSnr(gamma) : LossWeighting.None;
            using (var ids = NullPrompt.Ids(1, baseConfig.Model.TextMaxLength)) _nullText = Model.EncodeText(ids);
            _metrics = new MetricsLog(_run.MetricsFile);
            if (TrainingCheckpoint.Latest(_run.Path) is { } latest) Restore(latest);
        }
        catch
        {
            // Model owns the backbone once it exists; before that the loaded base does.
            if (Model is not null) Model.Dispose();
            else _base.Dispose();
            _world?.Dispose();
            throw;
        }
    }

    /// <summary>Contrastive pre-training of the ID encoder (<see cref="IdEncoderPretraining"/>), logged to encoder-pretraining.jsonl.</summary>
    private void PretrainEncoder()
    {
        // A run stopped during pre-training has no checkpoint and starts it over, from the same seed.
        string file = Path.Combine(_run.Path, EncoderPretrainingLog);
        File.Delete(file);
        var log = new MetricsLog(file);
        _progress.Message($"ID encoder: contrastive pre-training, {_config.EncoderPretrainSteps} steps of {_config.EncoderPretrainPeople} people");
        using var generator = new Generator((ulong)_config.Seed + 2, CPU);
        IdEncoderPretraining.Run(Model.IdEncoder, _dataset, _config, generator, logEvery: _config.LogEvery, log: (step, loss, accuracy) =>
        {
            var row = new Dictionary<string, double> { ["step"] = step, ["loss"] = loss, ["pair_accuracy"] = accuracy };
            log.Append(row);
            _progress.Message($"pre-training step {step}/{_config.EncoderPretrainSteps}  loss {loss:F4}  pair accuracy {accuracy:F3}");
        });
    }

    /// <summary>The run folder's log of the encoder pre-training (step, InfoNCE loss, in-batch pair accuracy).</summary>
    public const string EncoderPretrainingLog = "encoder-pretraining.jsonl";

    /// <summary>The text-to-image base, or a ConfigException naming BaseCheckpoint when it is missing or something else.</summary>
    private static TrainedModel LoadBase(PhotoMakerConfig config, Device device)
    {
        string path = config.BaseCheckpoint;
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new ConfigException($"key 'BaseCheckpoint': '{path}' does not exist; PhotoMaker trains on a text-to-image run: train it first " +
                $"(difflab train experiments/t2i-characterworld/mdtv2-t2i-tiny.json --out {path}) or point BaseCheckpoint at one (--set BaseCheckpoint=RUN)");
        if (PhotoMakerCheckpoint.IsPhotoMakerCheckpoint(Directory.Exists(path) ? TrainingCheckpoint.Latest(path) ?? path : path))
            throw new ConfigException($"key 'BaseCheckpoint': '{path}' is a PhotoMaker run; BaseCheckpoint is the text-to-image run a PhotoMaker stage starts from");
        try { return TrainedModel.Load(path, raw: !config.BaseUseEma, device: device); }
        catch (ConfigException e) { throw new ConfigException($"key 'BaseCheckpoint': not a usable text-to-image run: {e.Message}"); }
    }

    public PhotoMakerModel Model { get; }
    public long Step => _step;
    public RunFolder Run => _run;
    public WordTokenizer Tokenizer => _base.Tokenizer!;
    /// <summary>The concrete base checkpoint file the stage trains on (recorded in every checkpoint).</summary>
    public string BaseCheckpointFile => Path.GetFullPath(_base.CheckpointPath);

    /// <summary>Trains up to Steps (or <paramref name="stopAfter"/> steps, for tests and notebooks).</summary>
    public void Train(long? stopAfter = null, CancellationToken cancellation = default)
    {
        long end = Math.Min(_config.Steps, stopAfter is { } s ? _step + s : _config.Steps);
        var sums = new Dictionary<string, double>();
        int counted = 0;
        var clock = new Stopwatch();
        _progress.StartAt(_step);
        while (_step < end && !cancellation.IsCancellationRequested)
        {
            clock.Restart();
            Model.Train(true);
            foreach (var (k, v) in RunStep()) sums[k] = sums.GetValueOrDefault(k) + v;
            counted++;
            _step++;
            _wallSeconds += clock.Elapsed.TotalSeconds;
            if (_step % _config.LogEvery == 0 || _step == end)
            {
                var row = new Dictionary<string, double> { ["step"] = _step, ["wall_seconds"] = Math.Round(_wallSeconds, 3) };
                foreach (var (k, v) in sums) row[k] = v / counted;
                if (!double.IsFinite(row["loss"]))
                    throw new InvalidOperationException($"PhotoMaker training diverged at step {_step}: loss is {row["loss"]} (lower the learning rates or set GradClip)");
                _metrics.Append(row);
                _progress.Report(_step, row);
                sums.Clear();
                counted = 0;
            }
            bool last = _step == _config.Steps;
            if ((_step % _config.SampleEvery == 0 || last) && _config.SampleIdentities > 0) SaveSampleGrid();
            if (_step % _config.CheckpointEvery == 0 || _step == end || cancellation.IsCancellationRequested) SaveCheckpoint();
        }
    }

    /// <summary>One optimisation step: t* from the references, null-text dropout, the (50 % masked) diffusion loss, both optimizers.</summary>
    private Dictionary<string, double> RunStep()
    {
        using var scope = NewDisposeScope();
        using var indices = _targets.NextIndices();
        using var batch = _examples.Draw(indices.data<long>().ToArray(), _generator);
        var x0 = batch.Targets.to(_device);                                                   // (B, 3, H, W)
        long n = x0.shape[0];
        var text = WithNullText(Model.Condition(batch.Encoded, batch.References), Draw(n, _config.NullTextProbability)); // t* (B, L, D)
        var masked = Draw(n, _config.MaskedLossProbability).view(-1, 1, 1, 1).to(_device);    // (B, 1, 1, 1)
        var lossMask = where(masked, batch.Masks.to(_device), ones_like(batch.Masks).to(_device)); // (B, 1, H, W)
        var t = TrainingDraws.Timesteps(n, _diffusion.NumTimesteps, _generator, _device);     // (B)
        var losses = _diffusion.TrainingLosses(xt => Model.Forward(xt, t, text), x0, t, TrainingDraws.Noise(x0, _generator), _weighting, lossMask);
        var loss = losses.Loss.mean();
        var logged = new Dictionary<string, double> { ["mse"] = losses.Mse.mean().item<float>(), ["vb"] = losses.Vb.mean().item<float>() };
        if (_config.MaskedBranch)
        {
            var masking = Model.Backbone.DrawMasking(n, _device, _generator);
            var m = _diffusion.TrainingLosses(xt => Model.Backbone.ForwardMasked(xt, t, text, masking), x0, t, TrainingDraws.Noise(x0, _generator), _weighting, lossMask);
            logged["m_loss"] = m.Loss.mean().item<float>();
            loss = loss + m.Loss.mean();
        }
        logged["loss"] = loss.item<float>();
        logged["masked_loss_fraction"] = masked.to(ScalarType.Float32).mean().item<float>();
        _adapterOptimizer.ZeroGrad();
        _encoderOptimizer.ZeroGrad();
        loss.backward();
        if (_config.GradClip is { } clip)
        {
            var grads = Model.AdapterParameters().Concat(Model.EncoderParameters()).Select(p => p.Parameter).Where(p => p.grad is not null).ToArray();
            logged["grad_norm"] = nn.utils.clip_grad_norm_(grads, clip);
        }
        _adapterOptimizer.Step();
        _encoderOptimizer.Step();
        UpdateEma();
        return logged;
    }

    /// <summary>Rows where <paramref name="drop"/> (B) holds get the empty prompt's tokens, pooled vector and mask (§2.2 null-text dropout).</summary>
    private TextEmbedding WithNullText(TextEmbedding text, Tensor drop)
    {
        var d = drop.to(_device);
        var result = new TextEmbedding(
            where(d.view(-1, 1, 1), _nullText.Tokens, text.Tokens),
            where(d.view(-1, 1), _nullText.Pooled, text.Pooled),
            where(d.view(-1, 1), _nullText.PaddingMask, text.PaddingMask));
        text.Dispose();
        return result;
    }

    private Tensor Draw(long n, double probability) => torch.rand([n], generator: _generator) < probability;

    private void UpdateEma()
    {
        if (_ema is null) return;
        using var _ = no_grad();
        double decay = _config.EmaDecay!.Value;
        foreach (var (key, value) in Model.TrainedWeights()) _ema[key].lerp_(value, 1 - decay);
    }

    /// <summary>One row per held-out person: references (images 0..r−1), then a generation for the caption of image r.</summary>
    public Tensor SampleGrid()
    {
        var heldOut = _world.Identities(WorldSplit.HeldOut).Take(_config.SampleIdentities).ToList();
        int r = Math.Min(4, _world.Config.ImagesPerIdentity - 1);
        using var pipeline = new PhotoMakerPipeline(Model, Tokenizer, _diffusion.Betas.ToArray());
        using var swap = EmaSwap();
        var rows = new List<Tensor>();
        using var scope = NewDisposeScope();
        foreach (var id in heldOut)
        {
            var refs = stack(Enumerable.Range(0, r).Select(i => _world.Render(id, i).ToTensor()).ToArray());
            var caption = _world.Caption(id, r);
            using var stackOf = new ReferenceStack(refs);
            var generated = pipeline.Generate(CaptionTrigger.Insert(caption.Text, caption.ClassWord, _config.Sampling.Trigger), stackOf, [1000 + id], _config.Sampling);
            rows.Add(cat([refs, generated.cpu()], 0));
        }
        return cat(rows, 0).MoveToOuterDisposeScope();
    }

    private void SaveSampleGrid()
    {
        using var grid = SampleGrid();
        ImageGrid.Save(grid, Math.Min(4, _world.Config.ImagesPerIdentity - 1) + 1, _run.SampleGrid(_step));
    }

    /// <summary>Puts the EMA weights in place until disposed (no-op without EMA).</summary>
    private IDisposable EmaSwap()
    {
        if (_ema is null) return new Undo(null);
        var weights = Model.TrainedWeights();
        var saved = weights.ToDictionary(p => p.Key, p => p.Value.detach().clone());
        using (no_grad()) foreach (var (k, v) in weights) v.copy_(_ema[k]);
        return new Undo(() =>
        {
            using (no_grad()) foreach (var (k, v) in weights) v.copy_(saved[k]);
            foreach (var t in saved.Values) t.Dispose();
        });
    }

    private sealed class Undo(Action? undo) : IDisposable
    {
        public void Dispose() => undo?.Invoke();
    }

    private void SaveCheckpoint()
    {
        var state = new PhotoMakerTrainingState(_step, _adapterOptimizer.StepCount, _wallSeconds,
            _adapterOptimizer.StateTensors().ToDictionary(p => p.Key, p => p.Value),
            _encoderOptimizer.StateTensors().ToDictionary(p => p.Key, p => p.Value),
            _generator.get_state(), JsonSerializer.Serialize(_targets.State));
        new PhotoMakerCheckpoint(BaseCheckpointFile, _base.Step, _config.ToJson(), Model.TrainedWeights(), _ema, state).Save(_run.Checkpoint(_step));
    }

    private void Restore(string path)
    {
        var checkpoint = PhotoMakerCheckpoint.Load(path);
        if (checkpoint.Training is not { } state) throw new ConfigException($"checkpoint '{path}': holds no training state to resume from");
        if (checkpoint.BaseCheckpoint != BaseCheckpointFile)
            throw new ConfigException($"run '{_run.Path}': trained on base '{checkpoint.BaseCheckpoint}', but BaseCheckpoint now resolves to '{BaseCheckpointFile}'; use a new output folder");
        Model.LoadTrainedWeights(checkpoint.Weights, path);
        if (_ema is not null)
        {
            if (checkpoint.Ema is null) throw new ConfigException($"checkpoint '{path}': no EMA weights, but EmaDecay is set");
            using var _ = no_grad();
            foreach (var (k, v) in _ema) v.copy_(checkpoint.Ema[k]);
        }
        _adapterOptimizer.LoadState(state.AdapterOptimizer, state.OptimizerSteps, path);
        _encoderOptimizer.LoadState(state.EncoderOptimizer, state.OptimizerSteps, path);
        _generator.set_state(state.GeneratorState);
        _targets.Restore(JsonSerializer.Deserialize<BatchSamplerState>(state.SamplerState));
        _step = state.Step;
        _wallSeconds = state.WallSeconds;
        _metrics.TruncateAfter(_step);
        _progress.Message($"resumed {_run.Path} from step {_step}");
    }

    private void PrepareRunFolder()
    {
        Directory.CreateDirectory(_run.Path);
        if (_run.Exists)
        {
            var previous = PhotoMakerConfig.Load(_run.ConfigFile);
            // Steps may change on resume; nothing that shapes the computation may.
            if ((previous with { Steps = _config.Steps }).ToJson() != _config.ToJson())
                throw new ConfigException($"run '{_run.Path}': exists with a different config ({_run.ConfigFile}); use a new output folder or the same config");
        }
        IO.AtomicFile.WriteAllText(_run.ConfigFile, _config.ToJson());
        _base.Tokenizer!.Save(_run.TokenizerFile);
    }

    public void Dispose()
    {
        _adapterOptimizer.Dispose();
        _encoderOptimizer.Dispose();
        if (_ema is not null) foreach (var t in _ema.Values) t.Dispose();
        _nullText.Dispose();
        _targets.Dispose();
        _generator.Dispose();
        Model.Dispose();
        _world.Dispose();
    }
}
