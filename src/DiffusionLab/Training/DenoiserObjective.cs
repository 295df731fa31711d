using System.Text.Json;
using DiffusionLab.Data;
using DiffusionLab.Diffusion;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Training a whole DiT / MDT / MDTv2 denoiser on a labelled or captioned image set: shuffled batches, then the
/// plain denoising loss for DiT or MDT's two-branch (full + masked) loss (mdt.md §3), with Min-SNR weighting and
/// label dropout as the config says. Holds the model (fp32 master weights), the EMA's shadow model and, under
/// bf16, a bfloat16 working copy for forward and backward.
/// </summary>
public sealed class DenoiserObjective : ITrainingObjective
{
    private readonly TrainConfig _config;
    private readonly Device _device;
    private readonly BatchSampler _batches;
    private readonly IDenoisingObjective _objective;
    private readonly Tensor _nullCondition;

    /// <summary>Builds the model with the global torch seed set to Training.Seed (the initial weights); batches come from <paramref name="data"/> in the order <paramref name="generator"/> draws.</summary>
    public DenoiserObjective(TrainConfig config, ITrainingSet data, Device device, Generator generator)
    {
        _config = config;
        _device = device;
        Model = DenoiserFactory.CreateSeeded(config.Training.Seed, config.Model);
        Model.to(device);
        Shadow = DenoiserFactory.Create(config.Model);
        Shadow.to(device);
        StateDictLoader.LoadStrict(Shadow, Model.state_dict(), "the EMA's initial weights");
        foreach (var p in Shadow.parameters()) p.requires_grad = false;
        Shadow.eval();
        _batches = new BatchSampler(data, config.Training.BatchSize, generator);

        Denoiser compute = Model;
        if (config.Training.Precision == TrainingPrecision.Bf16)
        {
            compute = DenoiserFactory.Create(config.Model);
            compute.to(device);
            Bf16 = new Bf16Compute(compute);
        }
        var dtype = Bf16 is null ? ScalarType.Float32 : ScalarType.BFloat16;
        var diffusion = new GaussianDiffusion(BetaSchedule.Create(config.Diffusion.Schedule, config.Diffusion.Timesteps), config.Model.LearnSigma);
        var weighting = config.Diffusion.MinSnrGamma is { } gamma ? LossWeighting.MinSnr(gamma) : LossWeighting.None;
        // Lives as long as the objective: outside every per-step dispose scope.
        _nullCondition = Model.NullCondition().DetachFromDisposeScope();
        _objective = compute is MaskedDiffusionTransformer mdt
            ? new MaskedDenoisingObjective(diffusion, mdt, weighting, config.Model.ClassDropoutProb, _nullCondition, dtype)
            : new DenoisingObjective(diffusion, (x, t, y) => compute.call(x.to(dtype), t, y).to(ScalarType.Float32),
                weighting, config.Model.ClassDropoutProb, _nullCondition);
        ParameterGroups = [ParameterGroup.All(Model.named_parameters().Select(p => (p.name, p.parameter)), config.Optimizer.LearningRate, config.Optimizer.WeightDecay)];
    }

    /// <summary>The trained model (fp32 master weights).</summary>
    public Denoiser Model { get; }

    /// <summary>The EMA of <see cref="Model"/> (eval mode, no gradients): what sampling uses when Sampling.UseEma.</summary>
    public Denoiser Shadow { get; }

    public Bf16Compute? Bf16 { get; }

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    nn.Module? ITrainingObjective.EmaShadow => Shadow;

    /// <summary>The trainer's settings of a denoiser run: its length, cadence, optimizer and EMA.</summary>
    public static TrainerOptions Options(TrainConfig config) => new()
    {
        Stage = Core.TrainingStage.Denoiser,
        Steps = config.Training.Steps,
        LogEvery = config.Training.LogEvery,
        CheckpointEvery = config.Training.CheckpointEvery,
        Optimizer = config.Optimizer,
        EmaDecay = config.Training.EmaDecay,
        EmaWarmup = config.Training.EmaWarmup,
        ConfigJson = TrainConfigLoader.ToJson(config).ToJsonString(),
        DivergenceAdvice = "lower Optimizer.LearningRate or set Optimizer.GradClip",
    };

    public ObjectiveOutput Compute(Generator generator)
    {
        var (x, y) = _batches.Next(_device);                                                   // (B, C, H, W), (B) or (B, L)
        return _objective.Compute(x, y, generator);
    }

    public void SetTraining(bool training)
    {
        Model.train(training);
        Bf16?.Work.train(training);
    }

    public string DataState => JsonSerializer.Serialize(_batches.State);

    public void RestoreDataState(string state) => _batches.Restore(JsonSerializer.Deserialize<BatchSamplerState>(state));

    public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => Model.state_dict();

    /// <summary>A fine-tune's start (Training.InitialWeights): the network and its EMA both take <paramref name="weights"/>.</summary>
    public void StartFrom(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        StateDictLoader.LoadStrict(Model, weights, source);
        StateDictLoader.LoadStrict(Shadow, weights, source);
    }

    public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) =>
        StateDictLoader.LoadStrict(Model, weights, source);

    public void Dispose()
    {
        _nullCondition.Dispose();
        _batches.Dispose();
        Bf16?.Work.Dispose();
        Shadow.Dispose();
        Model.Dispose();
    }
}
