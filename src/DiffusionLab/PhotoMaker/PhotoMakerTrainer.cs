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
/// A PhotoMaker stage: the one <see cref="Trainer"/> over a <see cref="PhotoMakerObjective"/> (the stacked-ID encoder and
/// backbone adapters on a frozen text-to-image MDT, photomaker.md §2), in a run folder: config.json, tokenizer.json (the
/// base run's), metrics.jsonl, checkpoints/ (stage PhotoMaker, read back by <see cref="PhotoMakerCheckpoint"/>) and
/// samples/ (rows of held-out people's references → a generation). A run folder with a checkpoint is resumed from it
/// and continues exactly as the uninterrupted run would have.
/// </summary>
public sealed class PhotoMakerTrainer : IDisposable
{
    private readonly PhotoMakerConfig _config;
    private readonly RunFolder _run;
    private readonly TrainingProgress _progress;
    private readonly StageBase _stageBase;
    private TrainedModel BaseModel => _stageBase.Model;
    private readonly CharacterWorld _world;
    private readonly CharacterWorldDataset _dataset;
    private readonly GaussianDiffusion _diffusion;
    private readonly Generator _generator;
    private readonly PhotoMakerObjective _objective;
    private readonly Trainer _trainer;
    private readonly IDisposable _hold; // the run folder's lock, for as long as this stage lives

    public PhotoMakerTrainer(PhotoMakerConfig config, string runDirectory, Device device, TrainingProgress? progress = null)
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ConfigException($"PhotoMaker config: {problems[0]}");
        DeviceAvailability.Check(device);
        _config = config;
        _run = new RunFolder(runDirectory);
        _progress = progress ?? TrainingProgress.ForConsole(config.Steps, 0, config.LogEvery);
        _stageBase = StageBase.Load(config.BaseCheckpoint, raw: !config.BaseUseEma, device, $"PhotoMaker trains on a text-to-image run: train it first (difflab train experiments/t2i-characterworld/mdtv2-t2i-tiny.json --out {config.BaseCheckpoint})");
        try
        {
            var baseConfig = BaseModel.Config;
            var backbone = _stageBase.CharacterWorldBackbone(config.BaseCheckpoint, "PhotoMaker training needs CharacterWorld's identity groups and person masks");
            if (config.References == ReferenceSource.OtherImages && baseConfig.Data.ImagesPerIdentity <= config.MaxReferences)
                throw new ConfigException($"key 'MaxReferences': {config.MaxReferences} other images per target, but the base run's world has {baseConfig.Data.ImagesPerIdentity} images per identity");
            CheckResumable();
            _world = StageBase.World(baseConfig, baseConfig.Model.InputSize);
            _dataset = new CharacterWorldDataset(_world, WorldSplit.Train, baseConfig.Data.Cache);
            if (config.BatchSize > _dataset.Count)
                throw new ConfigException($"key 'BatchSize': {config.BatchSize}, expected at most the base run's {_dataset.Count} training images");
            var examples = new PhotoMakerExamples(_dataset, Tokenizer, baseConfig.Model.TextMaxLength, config);
            // Everything above only reads; from here the run folder exists, locked, and a failure removes what this start wrote.
            using var start = RunFolderStart.Begin(_run);
            PrepareRunFolder(start);

            using (var init = new Generator((ulong)config.Seed, CPU)) Model = new PhotoMakerModel(backbone, config, init);
            // Once, when the run starts: a resumed run's checkpoint already holds the pre-trained encoder.
            if (config.EncoderPretrainSteps > 0 && TrainingCheckpoint.Latest(_run.Path) is null) PretrainEncoder();
            _generator = new Generator((ulong)config.Seed + 1, CPU);
            _diffusion = new GaussianDiffusion(BetaSchedule.Create(baseConfig.Diffusion.Schedule, baseConfig.Diffusion.Timesteps), baseConfig.Model.LearnSigma);
            _objective = new PhotoMakerObjective(Model, config, examples, _dataset.Count, _diffusion, baseConfig.Model.TextMaxLength, device, _generator);
            _trainer = new Trainer(_objective, PhotoMakerObjective.Options(config, _stageBase.CheckpointMetadata()), _generator, _run, _progress);
            if (config.SampleIdentities > 0) _trainer.AddHook(new TrainingHook("sample grid", config.SampleEvery, _ => SaveSampleGrid()));
            _hold = start.Commit();
        }
        catch
        {
            _trainer?.Dispose();
            _objective?.Dispose();
            _generator?.Dispose();
            // Model owns the backbone once it exists; before that the loaded base does.
            if (Model is not null) Model.Dispose();
            else _stageBase.Dispose();
            _world?.Dispose();
            throw;
        }
    }

    /// <summary>Contrastive pre-training of the ID encoder (<see cref="IdEncoderPretraining"/>), a run of its own in <see cref="EncoderPretrainingFolder"/>.</summary>
    private void PretrainEncoder()
    {
        _progress.Message($"ID encoder: contrastive pre-training, {_config.EncoderPretrainSteps} steps of {_config.EncoderPretrainPeople} people");
        using var generator = new Generator((ulong)_config.Seed + 2, CPU);
        IdEncoderPretraining.Run(Model.IdEncoder, _dataset, _config, generator, Path.Combine(_run.Path, EncoderPretrainingFolder),
            _progress.For(_config.EncoderPretrainSteps, _config.LogEvery, "ID encoder pre-training"));
    }

    /// <summary>The run folder (inside the stage's) of the encoder pre-training: its metrics.jsonl (step, InfoNCE loss, in-batch pair accuracy) and checkpoints.</summary>
    public const string EncoderPretrainingFolder = "encoder-pretraining";

    public PhotoMakerModel Model { get; }
    public long Step => _trainer.Step;
    public RunFolder Run => _run;
    public WordTokenizer Tokenizer => BaseModel.Tokenizer!;
    /// <summary>The base the stage trains on as every checkpoint records it (<see cref="StageBase.Identity"/>).</summary>
    public string BaseCheckpointFile => _stageBase.Identity;

    /// <summary>Trains up to Steps (or <paramref name="stopAfter"/> steps, for tests and notebooks).</summary>
    public void Train(long? stopAfter = null, CancellationToken cancellation = default) => _trainer.Train(stopAfter, cancellation);

    /// <summary>
    /// A run folder's latest checkpoint must be of this stage, in today's format, and trained on the same base;
    /// checked before anything is written.
    /// </summary>
    private void CheckResumable()
    {
        if (TrainingCheckpoint.Latest(_run.Path) is not { } latest) return;
        var checkpoint = PhotoMakerCheckpoint.Load(latest);
        if (checkpoint.IsLegacy)
            throw new ConfigException($"checkpoint '{latest}': a PhotoMaker checkpoint of the old format; it still samples (personalize, evaluate) but does not resume: train into a new output folder");
        if (checkpoint.BaseCheckpoint != BaseCheckpointFile)
            throw new ConfigException($"run '{_run.Path}': trained on base '{checkpoint.BaseCheckpoint}', but BaseCheckpoint now resolves to '{BaseCheckpointFile}'; use a new output folder");
    }

    /// <summary>One row per held-out person: references (images 0..r−1), then a generation for the caption of image r.</summary>
    public Tensor SampleGrid()
    {
        var heldOut = _world.Identities(WorldSplit.HeldOut).Take(_config.SampleIdentities).ToList();
        int r = Math.Min(4, _world.Config.ImagesPerIdentity - 1);
        using var pipeline = new PhotoMakerPipeline(Model, Tokenizer, _diffusion.Betas.ToArray());
        using var swap = _trainer.EmaWeights();
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
        ImageGrid.Save(grid, Math.Min(4, _world.Config.ImagesPerIdentity - 1) + 1, _run.SampleGrid(Step));
    }

    // Steps may change on resume; nothing that shapes the computation may.
    private void PrepareRunFolder(RunFolderStart start) => start.WriteStageConfig(_run, _config.ToJson(),
        stored => (PhotoMakerConfig.FromJson(stored, _run.ConfigFile) with { Steps = _config.Steps }).ToJson(), BaseModel.Tokenizer!);

    public void Dispose()
    {
        _hold.Dispose();
        _trainer.Dispose();
        _objective.Dispose();
        _generator.Dispose();
        Model.Dispose();
        _world.Dispose();
    }
}
