using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// The image encoder of the stacked-ID encoder: a small ViT in the shape of CLIP's vision tower (photomaker.md
/// §1.1; v1 uses the pooled output, the CLS token after <c>post_layernorm</c>). <c>patch_embedding</c> Conv2d
/// without bias, <c>class_embedding</c>, <c>position_embedding</c>, <c>pre_layrnorm</c> (CLIP's spelling), pre-LN
/// <c>layers</c>, <c>post_layernorm</c>. Trained from scratch with PhotoMaker: it is not an evaluator network.
/// </summary>
public sealed class ReferenceImageEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d patch_embedding;
    private readonly Parameter class_embedding;
    private readonly Parameter position_embedding;
    private readonly LayerNorm pre_layrnorm;
    private readonly ModuleList<VisionEncoderLayer> layers;
    private readonly LayerNorm post_layernorm;

    public ReferenceImageEncoder(ImageEncoderConfig config, Device? device = null) : base(nameof(ReferenceImageEncoder))
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ArgumentException($"image encoder config: {problems[0]}");
        Config = config;
        int w = config.Width;
        patch_embedding = nn.Conv2d(3, w, config.PatchSize, stride: config.PatchSize, bias: false, device: device);
        class_embedding = new Parameter(zeros(w, device: device));
        position_embedding = new Parameter(zeros(1 + config.NumPatches, w, device: device));
        pre_layrnorm = nn.LayerNorm(w, device: device);
        layers = new ModuleList<VisionEncoderLayer>([.. Enumerable.Range(0, config.Depth)
            .Select(_ => new VisionEncoderLayer(w, config.Heads, (int)(w * config.MlpRatio), device))]);
        post_layernorm = nn.LayerNorm(w, device: device);
        register_module(nameof(patch_embedding), patch_embedding);
        register_parameter(nameof(class_embedding), class_embedding);
        register_parameter(nameof(position_embedding), position_embedding);
        register_module(nameof(pre_layrnorm), pre_layrnorm);
        register_module(nameof(layers), layers);
        register_module(nameof(post_layernorm), post_layernorm);
    }

    public ImageEncoderConfig Config { get; }

    /// <summary>Images (M, 3, S, S) in [−1, 1] (resized to ImageSize when S differs) → pooled CLS (M, Width).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return post_layernorm.forward(Hidden(images).select(1, 0)).MoveToOuterDisposeScope(); // (M, W) pooled CLS
    }

    /// <summary>
    /// Images (M, 3, S, S) in [−1, 1] → every token after <c>post_layernorm</c> (M, 1 + NumPatches, Width), CLS first, then
    /// the patches row-major: the token-sequence embedding (CLIP's image tokens, as IP-Adapter-plus and StoryDiffusion's
    /// semantic motion predictor read them).
    /// </summary>
    public Tensor Tokens(Tensor images)
    {
        using var scope = NewDisposeScope();
        return post_layernorm.forward(Hidden(images)).MoveToOuterDisposeScope();               // (M, 1+P, W)
    }

    /// <summary>The last layer's tokens (M, 1 + NumPatches, Width), before <c>post_layernorm</c>.</summary>
    private Tensor Hidden(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"reference images: expected (M, 3, H, W), got [{string.Join(", ", images.shape)}]");
        var x = images.to(class_embedding.dtype);
        if (x.shape[2] != Config.ImageSize || x.shape[3] != Config.ImageSize)
            x = nn.functional.interpolate(x, [Config.ImageSize, Config.ImageSize], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        long m = x.shape[0];
        var patches = patch_embedding.forward(x).flatten(2).transpose(1, 2);           // (M, P, W)
        var cls = class_embedding.view(1, 1, -1).expand(m, 1, -1);                      // (M, 1, W)
        var h = cat([cls, patches], 1) + position_embedding;                            // (M, 1+P, W)
        h = pre_layrnorm.forward(h);                                                    // (M, 1+P, W)
        foreach (var layer in layers) h = layer.forward(h);                             // (M, 1+P, W)
        return h;
    }
}
