using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// DreamBooth's step (photomaker.md §6): the diffusion loss on a batch of the person's references under the instance
/// prompt, plus λ times the loss on the frozen copy's class images under the class prompt (prior preservation), over
/// the weights the tuning mode opened (LoRA, cross-attention or all but the text encoder).
/// </summary>
internal sealed class DreamBoothObjective : ITrainingObjective
{
    private readonly MaskedDiffusionTransformer _model;
    private readonly DreamBoothConfig _config;
    private readonly GaussianDiffusion _diffusion;
    private readonly Tensor _references;
    private readonly Tensor _classImages;
    private readonly Tensor _instanceIds;
    private readonly Tensor _classIds;
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _trainable;

    /// <summary>References (N, 3, H, W) and class images (M, 3, H, W; M = 0: no prior preservation) on the model's device; instance and class prompts' token ids (1, L).</summary>
    public DreamBoothObjective(MaskedDiffusionTransformer model, IReadOnlyList<(string Name, Parameter Parameter)> trainable, DreamBoothConfig config,
        GaussianDiffusion diffusion, Tensor references, Tensor classImages, Tensor instanceIds, Tensor classIds)
    {
        (_model, _trainable, _config, _diffusion) = (model, trainable, config, diffusion);
        (_references, _classImages, _instanceIds, _classIds) = (references, classImages, instanceIds, classIds);
        ParameterGroups = [ParameterGroup.All(trainable, config.EffectiveLearningRate)];
    }

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>The trainer's settings of one person's tuning: AdamW without weight decay, the config's clip, a row per step.</summary>
    public static TrainerOptions Options(DreamBoothConfig config) => new()
    {
        Stage = Core.TrainingStage.DreamBooth,
        Steps = config.Steps,
        LogEvery = 1,
        Optimizer = new Runs.OptimizerSection { Name = Runs.OptimizerKind.AdamW, GradClip = config.GradClip },
        ConfigJson = config.ToJson(),
    };

    public ObjectiveOutput Compute(Generator generator)
    {
        var device = _references.device;
        int bi = _config.InstanceBatch, bc = _classImages.shape[0] > 0 ? _config.ClassBatch : 0;
        var pick = randint(0, _references.shape[0], [bi], dtype: ScalarType.Int64, generator: generator).to(device);    // (Bi)
        var x0 = _references.index_select(0, pick);                                                                      // (Bi, 3, H, W)
        var ids = _instanceIds.expand(bi, -1);                                                                           // (Bi, L)
        if (bc > 0)
        {
            var prior = randint(0, _classImages.shape[0], [bc], dtype: ScalarType.Int64, generator: generator).to(device);
            x0 = cat([x0, _classImages.index_select(0, prior)], 0);                                                     // (Bi+Bc, 3, H, W)
            ids = cat([ids, _classIds.expand(bc, -1)], 0);                                                               // (Bi+Bc, L)
        }
        var t = TrainingDraws.Timesteps(x0.shape[0], _diffusion.NumTimesteps, generator, device);
        var losses = _diffusion.TrainingLosses(xt => _model.forward(xt, t, ids), x0, t, TrainingDraws.Noise(x0, generator), LossWeighting.None);
        var instance = losses.Loss.narrow(0, 0, bi).mean();
        var logged = new Dictionary<string, Tensor> { ["instance"] = instance };
        var loss = instance;
        if (bc > 0)
        {
            var prior = losses.Loss.narrow(0, bi, bc).mean();
            loss = instance + _config.PriorLossWeight * prior;
            logged["prior"] = prior;
        }
        logged["loss"] = loss;
        return new ObjectiveOutput(loss, logged);
    }

    public void SetTraining(bool training) => _model.train(training);

    /// <summary>Everything is drawn from the generator: no data position beyond it.</summary>
    public string DataState => "{}";

    public void RestoreDataState(string state) { }

    public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => NamedWeights.Of(_trainable);

    public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => NamedWeights.Load(_trainable, weights, source);

    public void Dispose() { }
}
