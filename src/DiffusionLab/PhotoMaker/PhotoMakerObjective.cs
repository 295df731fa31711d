using System.Text.Json;
using DiffusionLab.Data;
using DiffusionLab.Diffusion;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// PhotoMaker's training step (photomaker.md §2): the class word's embedding fused with the references' ID embeddings
/// (t*), null-text dropout, the diffusion loss on the target, restricted to the person's mask on half the batch
/// (§2.2), optionally MDT's masked branch beside it; over two parameter groups, the backbone adapters and the ID
/// encoder, at their own learning rates (§2.3: 1e-4 and 1e-5).
/// </summary>
internal sealed class PhotoMakerObjective : ITrainingObjective
{
    private readonly PhotoMakerModel _model;
    private readonly PhotoMakerConfig _config;
    private readonly PhotoMakerExamples _examples;
    private readonly BatchSampler _targets;
    private readonly GaussianDiffusion _diffusion;
    private readonly LossWeighting _weighting;
    private readonly TextEmbedding _nullText;
    private readonly Device _device;

    public PhotoMakerObjective(PhotoMakerModel model, PhotoMakerConfig config, PhotoMakerExamples examples, long exampleCount, GaussianDiffusion diffusion,
        int textLength, Device device, Generator generator)
    {
        _model = model;
        _config = config;
        _examples = examples;
        _diffusion = diffusion;
        _device = device;
        _targets = new BatchSampler(exampleCount, config.BatchSize, generator);
        _weighting = config.MinSnrGamma is { } gamma ? LossWeighting.MinSnr(gamma) : LossWeighting.None;
        using (var ids = NullPrompt.Ids(1, textLength)) _nullText = model.EncodeText(ids);
        ParameterGroups =
        [
            new ParameterGroup(AdapterGroup, [.. model.AdapterParameters()], config.AdapterLearningRate, config.WeightDecay),
            new ParameterGroup(EncoderGroup, [.. model.EncoderParameters()], config.EncoderLearningRate, config.WeightDecay),
        ];
    }

    /// <summary>The parameter groups' names (their optimizer state's prefix in a checkpoint).</summary>
    public const string AdapterGroup = "adapter", EncoderGroup = "encoder";

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>The trainer's settings of a PhotoMaker stage: AdamW at the groups' rates, its clip, EMA and cadence.</summary>
    public static TrainerOptions Options(PhotoMakerConfig config, IReadOnlyDictionary<string, string> metadata) => new()
    {
        Stage = Core.TrainingStage.PhotoMaker,
        Steps = config.Steps,
        LogEvery = config.LogEvery,
        CheckpointEvery = config.CheckpointEvery,
        Optimizer = new Runs.OptimizerSection { Name = Runs.OptimizerKind.AdamW, Betas = config.Betas, GradClip = config.GradClip },
        EmaDecay = config.EmaDecay,
        ConfigJson = config.ToJson(),
        Metadata = metadata,
        DivergenceAdvice = "lower the learning rates or set GradClip",
    };

    public ObjectiveOutput Compute(Generator generator)
    {
        using var indices = _targets.NextIndices();
        using var batch = _examples.Draw(indices.data<long>().ToArray(), generator);
        var x0 = batch.Targets.to(_device);                                                                  // (B, 3, H, W)
        long n = x0.shape[0];
        var text = WithNullText(_model.Condition(batch.Encoded, batch.References), Draw(n, _config.NullTextProbability, generator)); // t* (B, L, D)
        var masked = Draw(n, _config.MaskedLossProbability, generator).view(-1, 1, 1, 1).to(_device);        // (B, 1, 1, 1)
        var lossMask = where(masked, batch.Masks.to(_device), ones_like(batch.Masks).to(_device));           // (B, 1, H, W)
        var t = TrainingDraws.Timesteps(n, _diffusion.NumTimesteps, generator, _device);                    // (B)
        var losses = _diffusion.TrainingLosses(xt => _model.Forward(xt, t, text), x0, t, TrainingDraws.Noise(x0, generator), _weighting, lossMask);
        var loss = losses.Loss.mean();
        var logged = new Dictionary<string, Tensor> { ["mse"] = losses.Mse.mean(), ["vb"] = losses.Vb.mean() };
        if (_config.MaskedBranch)
        {
            var masking = _model.Backbone.DrawMasking(n, _device, generator);
            var m = _diffusion.TrainingLosses(xt => _model.Backbone.ForwardMasked(xt, t, text, masking), x0, t, TrainingDraws.Noise(x0, generator), _weighting, lossMask);
            logged["m_loss"] = m.Loss.mean();
            loss = loss + m.Loss.mean();
        }
        logged["loss"] = loss;
        logged["masked_loss_fraction"] = masked.to(ScalarType.Float32).mean();
        return new ObjectiveOutput(loss, logged);
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

    private static Tensor Draw(long n, double probability, Generator generator) => torch.rand([n], generator: generator) < probability;

    public void SetTraining(bool training) => _model.Train(training);

    public string DataState => JsonSerializer.Serialize(_targets.State);

    public void RestoreDataState(string state) => _targets.Restore(JsonSerializer.Deserialize<BatchSamplerState>(state));

    public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => _model.TrainedWeights();

    public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => _model.LoadTrainedWeights(weights, source);

    public void Dispose()
    {
        _nullText.Dispose();
        _targets.Dispose();
    }
}
