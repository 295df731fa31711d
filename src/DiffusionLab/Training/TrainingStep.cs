using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// The machinery of one optimisation step, shared by the trainer and `difflab bench train`: the model
/// (fp32 master weights), its EMA, the optimizer, the objective (plain denoising for DiT, the
/// two-branch masked objective for MDT) and, under bf16, a bfloat16 working copy for forward and backward.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly Bf16Compute? _bf16;
    private readonly IDenoisingObjective _objective;
    private readonly double? _gradClip;
    private readonly Tensor _nullCondition;

    /// <summary>Builds the model with the global torch seed set to <paramref name="seed"/> (the initial weights).</summary>
    public TrainingStep(TrainConfig config, Device device, long seed)
    {
        Model = DenoiserFactory.CreateSeeded(seed, config.Model);
        Model.to(device);
        var shadow = DenoiserFactory.Create(config.Model);
        shadow.to(device);
        Ema = new ExponentialMovingAverage(Model, shadow, config.Training.EmaDecay, config.Training.EmaWarmup);
        Optimizer = OptimizerFactory.Create(config.Optimizer, Model.named_parameters());
        _gradClip = config.Optimizer.GradClip;

        Denoiser compute = Model;
        if (config.Training.Precision == "bf16")
        {
            compute = DenoiserFactory.Create(config.Model);
            compute.to(device);
            _bf16 = new Bf16Compute(Model, compute);
        }
        var dtype = _bf16 is null ? ScalarType.Float32 : ScalarType.BFloat16;
        var diffusion = new GaussianDiffusion(BetaSchedule.Create(config.Diffusion.Schedule, config.Diffusion.Timesteps), config.Model.LearnSigma);
        var weighting = config.Diffusion.MinSnrGamma is { } gamma ? LossWeighting.MinSnr(gamma) : LossWeighting.None;
        // Lives as long as the objective: outside every per-step dispose scope.
        _nullCondition = Model.NullCondition().DetachFromDisposeScope();
        _objective = compute is MaskedDiffusionTransformer mdt
            ? new MaskedDenoisingObjective(diffusion, mdt, weighting, config.Model.ClassDropoutProb, _nullCondition, dtype)
            : new DenoisingObjective(diffusion, (x, t, y) => compute.call(x.to(dtype), t, y).to(ScalarType.Float32),
                weighting, config.Model.ClassDropoutProb, _nullCondition);
    }

    public Denoiser Model { get; }
    public ExponentialMovingAverage Ema { get; }
    public ParameterOptimizer Optimizer { get; }

    public void Train()
    {
        Model.train();
        _bf16?.Work.train();
    }

    /// <summary>
    /// One step on a batch; returns the objective's logged scalars (0-dim tensors in the caller's dispose
    /// scope) and the gradient norm before clipping (NaN when not clipping).
    /// </summary>
    public (IReadOnlyDictionary<string, Tensor> Logged, double GradNorm) Run(Tensor images, Tensor conditions, Generator generator)
    {
        _bf16?.PullWeights();
        var output = _objective.Compute(images, conditions, generator);
        Optimizer.ZeroGrad();
        output.Loss.backward();
        _bf16?.PushGradients();
        double gradNorm = _gradClip is { } clip ? Optimizer.ClipGradNorm(clip) : double.NaN;
        Optimizer.Step();
        Ema.Update(Optimizer.StepCount);
        return (output.Logged, gradNorm);
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        _nullCondition.Dispose();
        _bf16?.Work.Dispose();
        Ema.Shadow.Dispose();
        Model.Dispose();
    }
}
