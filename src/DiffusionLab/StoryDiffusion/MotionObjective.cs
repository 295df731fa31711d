using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// The transition stage's training step (storydiffusion.md §4: "MSE between the predicted transition and the ground
/// truth", i.e. the diffusion loss on the clip): B ground-truth clips of training people (<see cref="KeyframePairs"/>,
/// motion size uniform in [0, MaxMotion], rendered by CharacterWorld), the start keyframe's caption as the prompt
/// (null text with NullTextProbability), the first and last frames encoded by the frozen encoder and interpolated to L
/// frames, through the predictor when it is on; keyframes hidden with NullKeyframeProbability; one timestep per clip (a
/// clip is denoised as one sample) and independent noise per frame; the base run's loss (its Min-SNR weighting, learned
/// variance). Optionally the predictor's embeddings are also pulled towards the encoder's embeddings of the true frames
/// (<see cref="MotionConfig.PredictorEmbeddingLossWeight"/>). Every draw comes from the trainer's generator, so a
/// checkpoint resumes exactly with no data state of its own.
/// </summary>
internal sealed class MotionObjective : ITrainingObjective
{
    public const string ClipGroup = "clip", PredictorGroup = "predictor", BackboneGroup = "backbone";

    private readonly MotionModel _model;
    private readonly MotionConfig _config;
    private readonly CharacterWorld _world;
    private readonly WordTokenizer _tokenizer;
    private readonly int _textLength;
    private readonly GaussianDiffusion _diffusion;
    private readonly LossWeighting _weighting;
    private readonly Device _device;

    public MotionObjective(MotionModel model, MotionConfig config, CharacterWorld world, WordTokenizer tokenizer, int textLength, GaussianDiffusion diffusion,
        LossWeighting weighting)
    {
        _model = model;
        _config = config;
        _world = world;
        _tokenizer = tokenizer;
        _textLength = textLength;
        _diffusion = diffusion;
        _weighting = weighting;
        _device = model.Device;
        var groups = new List<ParameterGroup> { new(ClipGroup, [.. model.ClipParameters()], config.TemporalLearningRate, config.WeightDecay) };
        if (model.Predictor is not null) groups.Add(new ParameterGroup(PredictorGroup, [.. model.PredictorParameters()], config.PredictorLearningRate, config.WeightDecay));
        if (config.TuneBackbone) groups.Add(new ParameterGroup(BackboneGroup, [.. model.BackboneParameters()], config.BackboneLearningRate, config.WeightDecay));
        ParameterGroups = groups;
    }

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>The trainer's settings of a motion stage: AdamW at the groups' rates, its clip, EMA and cadence.</summary>
    public static TrainerOptions Options(MotionConfig config, IReadOnlyDictionary<string, string> metadata) => new()
    {
        Stage = Core.TrainingStage.Motion,
        Steps = config.Steps,
        LogEvery = config.LogEvery,
        CheckpointEvery = config.CheckpointEvery,
        Optimizer = new OptimizerSection { Name = OptimizerKind.AdamW, Betas = config.Betas, GradClip = config.GradClip },
        EmaDecay = config.EmaDecay,
        ConfigJson = config.ToJson(),
        Metadata = metadata,
        DivergenceAdvice = "lower the learning rates or set GradClip",
    };

    public ObjectiveOutput Compute(Generator generator)
    {
        int b = _config.BatchSize, l = _config.Frames;
        var draws = rand([b, 3], generator: generator, dtype: ScalarType.Float64).data<double>().ToArray();
        var clips = new List<IReadOnlyList<CharacterImage>>(b);
        var captions = new List<string>(b);
        for (int k = 0; k < b; k++)
        {
            int identity = Math.Min((int)(draws[3 * k] * _world.Config.TrainIdentities), _world.Config.TrainIdentities - 1);
            int image = Math.Min((int)(draws[3 * k + 1] * _world.Config.ImagesPerIdentity), _world.Config.ImagesPerIdentity - 1);
            var pair = KeyframePairs.Of(_world, identity, image, _config.MaxMotion * draws[3 * k + 2]);
            clips.Add(KeyframePairs.Render(_world, pair, l));
            captions.Add(_world.Caption(identity, pair.Start).Text);
        }
        var x0 = stack(clips.SelectMany(c => c.Select(f => f.ToTensor())).ToArray()).to(_device);          // (B·L, 3, H, W)
        var ids = TrainingDraws.DropConditions(_tokenizer.EncodeBatch(captions, _textLength), _config.NullTextProbability,
            NullPrompt.Encode(_textLength).ToTensor().view(-1), generator).to(_device);                      // (B, L_t)
        var shown = (rand([b], generator: generator) >= _config.NullKeyframeProbability).to(_device);         // (B)

        using var text = EncodeText(ids.repeat_interleave(l, dim: 0));                                      // (B·L, L_t, D_text)
        var embedding = KeyframeEmbeddings(x0.view(b, l, x0.shape[1], x0.shape[2], x0.shape[3]));           // (B, L, N, E) each
        var t = TrainingDraws.Timesteps(b, _diffusion.NumTimesteps, generator, _device).repeat_interleave(l); // (B·L) one t per clip
        var keyframes = embedding.P.flatten(0, 1);                                                          // (B·L, N, E)
        var visible = shown.repeat_interleave(l);                                                           // (B·L)
        var losses = _diffusion.TrainingLosses(xt => _model.Clip.Forward(xt, t, text, keyframes, visible, l), x0, t, TrainingDraws.Noise(x0, generator), _weighting);
        var loss = losses.Loss.mean();
        var logged = new Dictionary<string, Tensor> { ["mse"] = losses.Mse.mean(), ["vb"] = losses.Vb.mean() };
        if (embedding.Target is { } target)
        {
            var embeddingLoss = (embedding.P - target).square().mean();
            logged["embedding_mse"] = embeddingLoss;
            // The interpolation's own error on the same clips: what the predictor starts from and must beat.
            logged["interpolation_mse"] = (embedding.K - target).square().mean();
            loss = loss + _config.PredictorEmbeddingLossWeight * embeddingLoss;
        }
        logged["loss"] = loss;
        return new ObjectiveOutput(loss, logged);
    }

    /// <summary>The prompt embedding, through the backbone's text encoder (frozen unless the backbone is tuned).</summary>
    private TextEmbedding EncodeText(Tensor ids)
    {
        if (_config.TuneBackbone) return _model.Backbone.EncodeText(ids);
        using var _ = no_grad();
        return _model.Backbone.EncodeText(ids);
    }

    /// <summary>
    /// Frames (B, L, 3, H, W) → the per-frame embeddings P (B, L, N, E) from the first and last frame (the interpolation K
    /// through the predictor when it is on), K, and the encoder's embeddings of every true frame when the predictor has a direct target.
    /// </summary>
    private (Tensor P, Tensor K, Tensor? Target) KeyframeEmbeddings(Tensor frames)
    {
        long b = frames.shape[0], l = frames.shape[1];
        var k = _model.Embeddings(frames.select(1, 0), frames.select(1, l - 1), (int)l, KeyframeConditioning.Interpolated)!; // (B, L, N, E)
        if (_model.Predictor is null) return (k, k, null);
        var p = _model.Predictor.Forward(k);                                                               // (B, L, N, E)
        if (_config.PredictorEmbeddingLossWeight <= 0) return (p, k, null);
        using var _ = no_grad();
        var target = _model.Encoder.Encode(frames.flatten(0, 1));                                          // (B·L, N, E)
        return (p, k, target.view(b, l, target.shape[1], target.shape[2]));
    }

    public void SetTraining(bool training) => _model.Train(training);

    public string DataState => "{}";

    public void RestoreDataState(string state) { }

    public IReadOnlyDictionary<string, Tensor> CheckpointWeights() => _model.TrainedWeights();

    public void LoadCheckpointWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => _model.LoadTrainedWeights(weights, source);

    public void Dispose() { }
}
