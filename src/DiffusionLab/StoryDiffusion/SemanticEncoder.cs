using DiffusionLab.PhotoMaker;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// The semantic motion predictor's encoder E (storydiffusion.md §4: OpenCLIP ViT-H/14 image tokens): keyframes → a
/// token sequence (M, N, Width), CLS then the patch tokens, from PhotoMaker's CLIP-shaped ViT (<c>vision_model</c>,
/// <see cref="ReferenceImageEncoder.Tokens"/>). No CLIP weights exist here, so it is pre-trained on CharacterWorld clips
/// (<see cref="SemanticEncoderPretraining"/>, through <c>contrastive_head</c> on the mean token) and frozen afterwards,
/// as the paper's CLIP is.
/// </summary>
public sealed class SemanticEncoder : nn.Module
{
    private readonly ReferenceImageEncoder vision_model;
    private readonly Linear contrastive_head;

    /// <summary>An encoder of shape <paramref name="config"/>, its weights drawn from <paramref name="generator"/> (null: libtorch's global one).</summary>
    public SemanticEncoder(ImageEncoderConfig config, Device? device = null, Generator? generator = null) : base(nameof(SemanticEncoder))
    {
        Config = config;
        vision_model = new ReferenceImageEncoder(config, device);
        contrastive_head = nn.Linear(config.Width, config.Width, hasBias: false, device: device);
        RegisterComponents();
        ResetParameters(generator);
    }

    public ImageEncoderConfig Config { get; }

    /// <summary>N, tokens per image: CLS and the patches.</summary>
    public int TokenCount => 1 + Config.NumPatches;

    /// <summary>E, the width of a token.</summary>
    public int Width => Config.Width;

    /// <summary>Images (M, 3, S, S) in [−1, 1] → tokens (M, N, Width).</summary>
    public Tensor Encode(Tensor images) => vision_model.Tokens(images.to(contrastive_head.weight!.device));

    /// <summary>The pre-training embedding of tokens (M, N, Width): the mean token through the head, unit length (M, Width).</summary>
    public Tensor ContrastiveEmbedding(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return nn.functional.normalize(contrastive_head.forward(tokens.mean([1L])), dim: 1).MoveToOuterDisposeScope(); // (M, W)
    }

    /// <summary>
    /// PyTorch's default init (U(±1/√fan_in) matrices, zero biases, unit LayerNorms), CLIP's N(0, Width^-½) class embedding and
    /// N(0, 0.02) position embedding, drawn on the CPU in parameter order so a seed gives the same encoder on any device.
    /// </summary>
    public void ResetParameters(Generator? generator = null)
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            using var values = empty(p.shape, p.dtype);
            if (name.EndsWith("class_embedding", StringComparison.Ordinal)) values.normal_(0, Math.Pow(Config.Width, -0.5), generator);
            else if (name.EndsWith("position_embedding", StringComparison.Ordinal)) values.normal_(0, 0.02, generator);
            else if (p.dim() >= 2)
            {
                double bound = 1.0 / Math.Sqrt(p.shape.Skip(1).Aggregate(1L, (a, b) => a * b));
                values.uniform_(-bound, bound, generator);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) values.zero_();
            else values.fill_(1.0); // the LayerNorms' weights
            p.copy_(values);
        }
    }
}
