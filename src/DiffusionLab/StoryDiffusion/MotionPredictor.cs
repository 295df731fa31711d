using DiffusionLab.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// StoryDiffusion's semantic motion predictor B (storydiffusion.md §4): the start and end keyframes' token embeddings are
/// linearly interpolated to L frames (<see cref="Interpolate"/>, K_i = K_s + (i−1)/(L−1)·(K_e − K_s)), and a transformer of
/// <see cref="MotionPredictorLayer"/>s (token and temporal attention; 8 layers in the paper) over the L × N tokens predicts
/// the per-frame embeddings P_1..P_L. <c>in_proj</c> E→W, a learned <c>token_pos</c> and sin-cos frame positions, the layers,
/// <c>norm_out</c>, <c>out_proj</c> W→E. The output is K + out_proj(...), and out_proj starts at zero: a fresh predictor
/// returns the interpolation, so training starts from the "no predictor" ablation and learns only what motion adds to it.
/// </summary>
public sealed class MotionPredictor : nn.Module
{
    private readonly Linear in_proj;
    private readonly Parameter token_pos;
    private readonly ModuleList<MotionPredictorLayer> layers;
    private readonly LayerNorm norm_out;
    private readonly Linear out_proj;

    public MotionPredictor(int embeddingWidth, int tokens, int width, int depth, int heads, Device? device = null) : base(nameof(MotionPredictor))
    {
        if (width % heads != 0 || width % 2 != 0) throw new ArgumentException($"predictor width {width}: expected an even multiple of its {heads} heads");
        EmbeddingWidth = embeddingWidth;
        Tokens = tokens;
        Width = width;
        in_proj = nn.Linear(embeddingWidth, width, device: device);
        token_pos = new Parameter(zeros(1, 1, tokens, width, device: device));
        layers = new ModuleList<MotionPredictorLayer>([.. Enumerable.Range(0, depth).Select(_ => new MotionPredictorLayer(width, heads, device))]);
        norm_out = nn.LayerNorm(width, device: device);
        out_proj = nn.Linear(width, embeddingWidth, device: device);
        RegisterComponents();
        Init.XavierLinear(in_proj);
        using (no_grad()) nn.init.normal_(token_pos, 0.0, 0.02);
        Init.ZeroLinear(out_proj);
    }

    public int EmbeddingWidth { get; }
    public int Tokens { get; }
    public int Width { get; }
    public int Depth => layers.Count;

    /// <summary>K (B, L, N, E) interpolated keyframe embeddings → P (B, L, N, E).</summary>
    public Tensor Forward(Tensor k)
    {
        if (k.dim() != 4 || k.shape[2] != Tokens || k.shape[3] != EmbeddingWidth)
            throw new ArgumentException($"motion predictor: expected (B, L, {Tokens}, {EmbeddingWidth}), got [{string.Join(", ", k.shape)}]");
        using var scope = NewDisposeScope();
        long l = k.shape[1];
        var frames = SinCosPositionEmbedding.OneDimensional(Width, arange(l, device: k.device)).to(k.dtype).view(1, l, 1, Width); // (1, L, 1, W)
        var h = in_proj.forward(k) + token_pos + frames;                                 // (B, L, N, W)
        foreach (var layer in layers) h = layer.Forward(h);                              // (B, L, N, W)
        return (k + out_proj.forward(norm_out.forward(h))).MoveToOuterDisposeScope();    // (B, L, N, E)
    }

    /// <summary>Linear interpolation in embedding space (§4): start, end (B, N, E) → (B, L, N, E), frame 0 = start, frame L−1 = end.</summary>
    public static Tensor Interpolate(Tensor start, Tensor end, int frames)
    {
        if (frames < 2) throw new ArgumentOutOfRangeException(nameof(frames), $"frames {frames}: expected at least 2");
        if (!start.shape.SequenceEqual(end.shape)) throw new ArgumentException($"start [{string.Join(", ", start.shape)}] and end [{string.Join(", ", end.shape)}]: expected one shape");
        using var scope = NewDisposeScope();
        var u = linspace(0, 1, frames, dtype: start.dtype, device: start.device).view(1, frames, 1, 1); // (1, L, 1, 1)
        return torch.lerp(start.unsqueeze(1), end.unsqueeze(1), u).MoveToOuterDisposeScope();       // (B, L, N, E)
    }
}
