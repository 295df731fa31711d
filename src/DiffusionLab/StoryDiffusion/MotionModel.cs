using DiffusionLab.Core;
using DiffusionLab.Mdt;
using DiffusionLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// StoryDiffusion's transition model (storydiffusion.md §4) on a text-to-image MDT: the <see cref="SemanticEncoder"/> E,
/// the <see cref="MotionPredictor"/> B (absent when <see cref="MotionConfig.UsePredictor"/> is off) and the
/// <see cref="ClipGenerator"/>. Its checkpoint weights are keyed "encoder.*", "predictor.*", "clip.*" (temporal layers
/// and keyframe projection) and, when the backbone is tuned, "backbone.*"; the frozen base's own weights are never part
/// of them. Owns the backbone.
/// </summary>
public sealed class MotionModel : IDisposable
{
    public const string EncoderPrefix = "encoder.", PredictorPrefix = "predictor.", ClipPrefix = "clip.", BackbonePrefix = "backbone.";

    /// <summary>Freezes the backbone unless tuned and adds the new modules, every initial weight drawn from <paramref name="generator"/>.</summary>
    public MotionModel(MaskedDiffusionTransformer backbone, MotionConfig config, Generator generator)
    {
        if (!backbone.Config.IsTextConditioned) throw new ArgumentException("the motion stage extends a text-to-image network; this backbone is class-conditional");
        Config = config;
        var device = backbone.parameters().First().device;
        foreach (var p in backbone.parameters()) p.requires_grad = config.TuneBackbone;
        Encoder = new SemanticEncoder(config.Encoder, generator: generator);
        Encoder.to(device);
        foreach (var p in Encoder.parameters()) p.requires_grad = false;
        int width = config.PredictorWidth > 0 ? config.PredictorWidth : backbone.Config.HiddenSize;
        if (config.UsePredictor)
        {
            if (width % config.PredictorHeads != 0)
                throw new ConfigException($"key 'PredictorHeads': {config.PredictorHeads} does not divide the predictor's width {width} (PredictorWidth 0 = the backbone's)");
            Predictor = new MotionPredictor(Encoder.Width, Encoder.TokenCount, width, config.PredictorDepth, config.PredictorHeads, device);
            Redraw(Predictor, generator);
        }
        Clip = new ClipGenerator(backbone, Encoder.Width);
        Redraw(Clip, generator, skipPrefix: "backbone.");
    }

    public MotionConfig Config { get; }
    public SemanticEncoder Encoder { get; }
    public MotionPredictor? Predictor { get; }
    public ClipGenerator Clip { get; }
    public MaskedDiffusionTransformer Backbone => Clip.Backbone;
    public Device Device => Backbone.parameters().First().device;

    /// <summary>
    /// Per-frame keyframe embeddings for clips from <paramref name="start"/> to <paramref name="end"/> keyframes
    /// (B, 3, S, S) in [−1, 1]: the interpolation K (B, L, N, E), through the predictor for <see cref="KeyframeConditioning.Predicted"/>;
    /// null for <see cref="KeyframeConditioning.TextOnly"/>.
    /// </summary>
    public Tensor? Embeddings(Tensor start, Tensor end, int frames, KeyframeConditioning mode)
    {
        if (mode == KeyframeConditioning.TextOnly) return null;
        if (mode == KeyframeConditioning.Predicted && Predictor is null)
            throw new ArgumentException("this motion model was trained without the predictor (UsePredictor false): use the interpolated embeddings");
        using var scope = NewDisposeScope();
        Tensor ks, ke;
        using (no_grad())
        {
            ks = Encoder.Encode(start);                                                     // (B, N, E)
            ke = Encoder.Encode(end);                                                       // (B, N, E)
        }
        var k = MotionPredictor.Interpolate(ks, ke, frames);                                // (B, L, N, E)
        return (mode == KeyframeConditioning.Predicted ? Predictor!.Forward(k) : k).MoveToOuterDisposeScope();
    }

    /// <summary>What the frames read when a caller does not say: the predictor's embeddings if this model has one, else the interpolated ones.</summary>
    public KeyframeConditioning DefaultConditioning => Predictor is null ? KeyframeConditioning.Interpolated : KeyframeConditioning.Predicted;

    /// <summary>The trained modules' training / evaluation mode (the frozen encoder and backbone stay in evaluation mode unless tuned).</summary>
    public void Train(bool training)
    {
        Clip.train(training);
        if (!Config.TuneBackbone) Backbone.eval();
        Predictor?.train(training);
        Encoder.eval();
    }

    /// <summary>The temporal layers and keyframe projection, checkpoint-named.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> ClipParameters() => Clip.NewParameters().Select(p => (ClipPrefix + p.Name, p.Parameter));

    public IEnumerable<(string Name, Parameter Parameter)> PredictorParameters() =>
        Predictor?.named_parameters().Select(p => (PredictorPrefix + p.name, p.parameter)) ?? [];

    public IEnumerable<(string Name, Parameter Parameter)> BackboneParameters() =>
        Backbone.named_parameters().Select(p => (BackbonePrefix + p.name, p.parameter));

    public IEnumerable<(string Name, Parameter Parameter)> EncoderParameters() =>
        Encoder.named_parameters().Select(p => (EncoderPrefix + p.name, p.parameter));

    /// <summary>Everything a checkpoint keeps: the pre-trained encoder, the predictor, the new clip layers, and the backbone when tuned.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> CheckpointParameters() =>
        EncoderParameters().Concat(PredictorParameters()).Concat(ClipParameters()).Concat(Config.TuneBackbone ? BackboneParameters() : []);

    public IReadOnlyDictionary<string, Tensor> TrainedWeights() => NamedWeights.Of(CheckpointParameters());

    public void LoadTrainedWeights(IReadOnlyDictionary<string, Tensor> weights, string source) => NamedWeights.Load(CheckpointParameters(), weights, source);

    /// <summary>
    /// Re-draws every weight matrix of <paramref name="module"/> that is not all zeros (a zero-initialised output stays the
    /// identity) Xavier-uniformly from <paramref name="generator"/> on the CPU, so a seed gives the same model on any device
    /// and in any process; vectors (biases, norms) and the learned token positions (N(0, 0.02)) as they were.
    /// </summary>
    private static void Redraw(nn.Module module, Generator generator, string? skipPrefix = null)
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (skipPrefix is not null && name.StartsWith(skipPrefix, StringComparison.Ordinal)) continue;
            if (p.dim() < 2 || p.count_nonzero().item<long>() == 0) continue;
            using var values = empty(p.shape, p.dtype);
            if (name.EndsWith("token_pos", StringComparison.Ordinal)) values.normal_(0, 0.02, generator);
            else
            {
                long fanIn = p.shape[1], fanOut = p.shape[0];
                double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
                values.uniform_(-bound, bound, generator);
            }
            p.copy_(values);
        }
    }

    public void Dispose()
    {
        var backbone = Backbone;
        Clip.Dispose();
        backbone.Dispose();
        Predictor?.Dispose();
        Encoder.Dispose();
    }
}
