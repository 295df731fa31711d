using System.Text.Json;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation.World;
using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// A CharacterWorld judge's step: per epoch every train identity's fresh images (e·K … (e+1)·K − 1) in an order drawn
/// from the epoch's seed (optionally with face-part edits), rendered batch by batch before the step, augmented, and
/// fed to the judge's loss. The result depends on the seed alone: rendering is a pure function of the job.
/// </summary>
internal sealed class JudgeObjective : ITrainingObjective
{
    private readonly CharacterWorld _world;
    private readonly JudgeTrainingOptions _options;
    private readonly IReadOnlyDictionary<string, nn.Module> _modules;
    private readonly Func<RenderJob[], Generator, RenderJob[]>? _editParts;
    private readonly Func<Tensor, RenderJob[], double, Tensor> _loss;
    private readonly IReadOnlyList<int> _identities;
    private Position _at;
    private RenderJob[] _jobs = [];
    private (RenderJob[] Jobs, byte[] Bytes)? _next;

    /// <summary>Where the judge's data stands: the epoch, the next batch in it, the epoch's order seed, and the steps taken.</summary>
    private sealed record Position(int Epoch, int Batch, long EpochSeed, long Step);

    /// <param name="world">The world whose train identities are used.</param>
    /// <param name="options">Epochs, images, optimiser and augmentation.</param>
    /// <param name="modules">What trains, by checkpoint prefix (the judge and its training-only heads).</param>
    /// <param name="editParts">Chooses the face parts of each job (null: normal faces).</param>
    /// <param name="loss">(augmented images, jobs of the batch, progress 0..1) → scalar loss.</param>
    public JudgeObjective(CharacterWorld world, JudgeTrainingOptions options, IReadOnlyDictionary<string, nn.Module> modules,
        Func<RenderJob[], Generator, RenderJob[]>? editParts, Func<Tensor, RenderJob[], double, Tensor> loss)
    {
        options.Validate();
        (_world, _options, _modules, _editParts, _loss) = (world, options, modules, editParts, loss);
        _identities = world.Identities(WorldSplit.Train);
        int perEpoch = _identities.Count * options.ImagesPerIdentity;
        StepsPerEpoch = perEpoch / options.BatchSize;
        if (StepsPerEpoch < 1) throw new ArgumentException($"{perEpoch} images per epoch is less than one batch of {options.BatchSize}");
        _at = new Position(0, 0, 0, 0);
        ParameterGroups = [ParameterGroup.All(
            modules.SelectMany(m => m.Value.named_parameters().Select(p => ($"{m.Key}.{p.name}", p.parameter))), options.LearningRate, options.WeightDecay)];
    }

    public int StepsPerEpoch { get; }

    public long TotalSteps => (long)StepsPerEpoch * _options.Epochs;

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>The trainer's settings of a judge: AdamW with warm-up and cosine decay to 0, steps held off the collector.</summary>
    public TrainerOptions Options(string judge) => new()
    {
        Stage = Core.TrainingStage.Judge,
        Steps = TotalSteps,
        LogEvery = _options.LogEvery,
        Optimizer = new Runs.OptimizerSection { Name = Runs.OptimizerKind.AdamW, GradClip = null },
        Schedule = LearningRateSchedule.WarmupCosine(_options.WarmupSteps, TotalSteps),
        HoldOffCollection = true,
        ConfigJson = JsonSerializer.Serialize(new { judge, options = _options }),
    };

    public void PrepareNext(Generator generator)
    {
        if (_at.Batch == 0)
        {
            // A new epoch's order comes from a seed the run's generator draws, so a resumed run redraws it from the checkpoint's position.
            long seed = randint(long.MaxValue, [1], generator: generator).item<long>();
            _at = _at with { EpochSeed = seed };
            _jobs = EpochJobs(_at.Epoch, seed);
        }
        var batch = _jobs.AsSpan(_at.Batch * _options.BatchSize, _options.BatchSize).ToArray();
        _next = (batch, JudgeImages.RenderBytes(_world, batch, _options.RenderThreads));
    }

    public ObjectiveOutput Compute(Generator generator)
    {
        var (jobs, bytes) = _next ?? throw new InvalidOperationException("PrepareNext must run before Compute");
        _next = null;
        var images = JudgeImages.ToTensor(bytes, jobs.Length, _world.ImageSize);                 // (B, 3, S, S)
        var augmented = JudgeAugmentation.Apply(images, _options, generator);                  // (B, 3, S, S)
        var loss = _loss(augmented, jobs, (double)_at.Step / TotalSteps);
        int next = _at.Batch + 1;
        _at = next == StepsPerEpoch ? new Position(_at.Epoch + 1, 0, _at.EpochSeed, _at.Step + 1) : _at with { Batch = next, Step = _at.Step + 1 };
        return new ObjectiveOutput(loss, new Dictionary<string, Tensor> { ["loss"] = loss });
    }

    // Every identity's images e·K … (e+1)·K − 1, in the order of the epoch's seed, with the edits drawn from it too.
    private RenderJob[] EpochJobs(int epoch, long seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        int perIdentity = _options.ImagesPerIdentity;
        int count = _identities.Count * perIdentity;
        using var permutation = randperm(count, generator: generator);
        var order = permutation.data<long>().ToArray();
        var jobs = new RenderJob[count];
        for (int i = 0; i < count; i++)
        {
            int k = (int)order[i];
            jobs[i] = new RenderJob(_identities[k / perIdentity], epoch * perIdentity + k % perIdentity, FaceParts.Normal);
        }
        return _editParts is null ? jobs : _editParts(jobs, generator);
    }

    public void SetTraining(bool training)
    {
        foreach (var m in _modules.Values) m.train(training);
    }

    public string DataState => JsonSerializer.Serialize(_at);

    public void RestoreDataState(string state)
    {
        _at = JsonSerializer.Deserialize<Position>(state) ?? throw new Core.ConfigException("judge checkpoint: its data position is empty");
        _jobs = _at.Batch == 0 ? [] : EpochJobs(_at.Epoch, _at.EpochSeed);
    }

    public IReadOnlyDictionary<string, Tensor> CheckpointWeights() =>
        _modules.SelectMany(m => m.Value.state_dict().Select(p => KeyValuePair.Create($"{m.Key}.{p.Key}", p.Value))).ToDictionary();

    public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        foreach (var (prefix, module) in _modules)
            StateDictLoader.LoadStrict(module, weights.Where(p => p.Key.StartsWith(prefix + ".", StringComparison.Ordinal))
                .ToDictionary(p => p.Key[(prefix.Length + 1)..], p => p.Value), source);
    }

    public void Dispose() { }
}
