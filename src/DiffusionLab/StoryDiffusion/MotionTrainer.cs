using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Imaging;
using DiffusionLab.Mdt;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A motion stage (storydiffusion.md §4): the semantic encoder pre-trained once (<see cref="SemanticEncoderPretraining"/>,
/// its own run folder inside this one), then the one <see cref="Trainer"/> over a <see cref="MotionObjective"/> on the text-
/// to-image base, in a run folder: config.json, tokenizer.json (the base run's), metrics.jsonl, checkpoints/ (stage Motion,
/// read back by <see cref="MotionCheckpoint"/>) and samples/ (per held-out person a row of the true clip over a row of the
/// generated one, and the generated clips as a GIF). A run folder with a checkpoint resumes exactly.
/// </summary>
public sealed class MotionTrainer : IDisposable
{
    /// <summary>The run folder (inside the stage's) of the encoder pre-training.</summary>
    public const string EncoderPretrainingFolder = "encoder-pretraining";

    private readonly MotionConfig _config;
    private readonly TrainingProgress _progress;
    private readonly StageBase _stageBase;
    private TrainedModel BaseModel => _stageBase.Model;
    private readonly CharacterWorld _world;
    private readonly GaussianDiffusion _diffusion;
    private readonly Generator _generator;
    private readonly MotionObjective _objective;
    private readonly Trainer _trainer;
    private readonly IDisposable _hold;

    public MotionTrainer(MotionConfig config, string runDirectory, Device device, TrainingProgress? progress = null)
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ConfigException($"motion config: {problems[0]}");
        DeviceAvailability.Check(device);
        _config = config;
        Run = new RunFolder(runDirectory);
        _progress = progress ?? TrainingProgress.ForConsole(config.Steps, 0, config.LogEvery);
        _stageBase = StageBase.Load(config.BaseCheckpoint, raw: !config.BaseUseEma, device, $"the motion stage extends a text-to-image run: train it first (difflab study run experiments/t2i-characterworld)");
        try
        {
            var baseConfig = BaseModel.Config;
            var backbone = _stageBase.CharacterWorldBackbone(config.BaseCheckpoint, "the motion stage trains on CharacterWorld clips");
            CheckResumable();
            _world = StageBase.World(baseConfig, baseConfig.Model.InputSize);
            using var start = RunFolderStart.Begin(Run);
            PrepareRunFolder(start);

            using (var init = new Generator((ulong)config.Seed, CPU)) Model = new MotionModel(backbone, config, init);
            // Once, when the run starts: a resumed run's checkpoint already holds the pre-trained encoder.
            if (config.EncoderPretrainSteps > 0 && TrainingCheckpoint.Latest(Run.Path) is null)
            {
                _progress.Message($"semantic encoder: time-contrastive pre-training, {config.EncoderPretrainSteps} steps of {config.EncoderPretrainClips} clips");
                using var pretrain = new Generator((ulong)config.Seed + 2, CPU);
                SemanticEncoderPretraining.Run(Model.Encoder, _world, config, pretrain, Path.Combine(Run.Path, EncoderPretrainingFolder),
                    _progress.For(config.EncoderPretrainSteps, config.LogEvery));
            }
            _generator = new Generator((ulong)config.Seed + 1, CPU);
            _diffusion = new GaussianDiffusion(BetaSchedule.Create(baseConfig.Diffusion.Schedule, baseConfig.Diffusion.Timesteps), baseConfig.Model.LearnSigma);
            var weighting = baseConfig.Diffusion.MinSnrGamma is { } gamma ? LossWeighting.MinSnr(gamma) : LossWeighting.None;
            _objective = new MotionObjective(Model, config, _world, Tokenizer, baseConfig.Model.TextMaxLength, _diffusion, weighting);
            _trainer = new Trainer(_objective, MotionObjective.Options(config, _stageBase.CheckpointMetadata()), _generator, Run, _progress);
            if (config.SampleClips > 0) _trainer.AddHook(new TrainingHook("sample clips", config.SampleEvery, _ => SaveSamples()));
            _hold = start.Commit();
        }
        catch
        {
            _trainer?.Dispose();
            _objective?.Dispose();
            _generator?.Dispose();
            if (Model is not null) Model.Dispose();
            else _stageBase.Dispose();
            _world?.Dispose();
            throw;
        }
    }

    public MotionModel Model { get; }
    public RunFolder Run { get; }
    public long Step => _trainer.Step;
    public WordTokenizer Tokenizer => BaseModel.Tokenizer!;
    /// <summary>The base the stage trains on as every checkpoint records it (<see cref="StageBase.Identity"/>).</summary>
    public string BaseCheckpointFile => _stageBase.Identity;

    /// <summary>Trains up to Steps (or <paramref name="stopAfter"/> steps); a cancelled run checkpoints where it stopped.</summary>
    public void Train(long? stopAfter = null, CancellationToken cancellation = default) => _trainer.Train(stopAfter, cancellation);

    /// <summary>
    /// Rows of <see cref="MotionConfig.SampleClips"/> held-out people's transitions (motion 0.75): the true clip, then the
    /// generated one from its first and last frames and caption ((2·people·L), 3, S, S), with the generated clips.
    /// </summary>
    public (Tensor Sheet, Tensor Clips) Samples()
    {
        var people = _world.Identities(WorldSplit.HeldOut).Take(_config.SampleClips).ToList();
        if (people.Count == 0) throw new InvalidOperationException("the base world has no held-out people to sample transitions of");
        using var scope = NewDisposeScope();
        var truths = people.Select(id => KeyframePairs.Render(_world, KeyframePairs.Of(_world, id, 0, 0.75), _config.Frames)).ToList();
        var truth = stack(truths.Select(c => CharacterImage.Stack(c)).ToArray());                                     // (P, L, 3, S, S)
        var prompts = people.Select(id => _world.Caption(id, 0).Text).ToList();
        using var pipeline = new TransitionPipeline(Model, Tokenizer, _diffusion.Betas.ToArray());
        using var swap = _trainer.EmaWeights();
        var generated = pipeline.Generate(truth.select(1, 0), truth.select(1, _config.Frames - 1), prompts, 1000, _config.Sampling); // (P, L, 3, S, S)
        Model.Train(true);
        var sheet = stack([truth, generated], 1).flatten(0, 2);                                                       // (P·2·L, 3, S, S)
        return (sheet.MoveToOuterDisposeScope(), generated.flatten(0, 1).MoveToOuterDisposeScope());
    }

    private void SaveSamples()
    {
        var (sheet, clips) = Samples();
        using (sheet) ImageGrid.Save(sheet, _config.Frames, Run.SampleGrid(Step));
        using (clips) AnimatedImageFile.Save(clips, Path.ChangeExtension(Run.SampleGrid(Step), ".gif"));
    }

    private void CheckResumable()
    {
        if (TrainingCheckpoint.Latest(Run.Path) is not { } latest) return;
        var checkpoint = MotionCheckpoint.Load(latest);
        foreach (var t in checkpoint.Weights.Values.Concat((IEnumerable<Tensor>?)checkpoint.Ema?.Values ?? [])) t.Dispose();
        if (checkpoint.BaseCheckpoint != BaseCheckpointFile)
            throw new ConfigException($"run '{Run.Path}': trained on base '{checkpoint.BaseCheckpoint}', but BaseCheckpoint now resolves to '{BaseCheckpointFile}'; use a new output folder");
    }

    // Steps may change on resume; nothing that shapes the computation may.
    private void PrepareRunFolder(RunFolderStart start) => start.WriteStageConfig(Run, _config.ToJson(),
        stored => (MotionConfig.FromJson(stored, Run.ConfigFile) with { Steps = _config.Steps }).ToJson(), BaseModel.Tokenizer!);

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
