using DiffusionLab.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// One layer of the semantic motion predictor over (B, L, N, W) frame tokens, pre-LN: token attention among the N
/// tokens of each frame (<c>token_attn</c>), temporal attention among the L frames at each token position
/// (<c>frame_attn</c>), then an MLP; each a residual. Factorised rather than one attention over all L·N tokens:
/// the same reach in two steps at (N² + L²) instead of (L·N)² cost per token.
/// </summary>
internal sealed class MotionPredictorLayer : nn.Module
{
    private readonly LayerNorm norm1;
    private readonly Attention token_attn;
    private readonly LayerNorm norm2;
    private readonly Attention frame_attn;
    private readonly LayerNorm norm3;
    private readonly Mlp mlp;

    public MotionPredictorLayer(int width, int heads, Device? device = null) : base(nameof(MotionPredictorLayer))
    {
        norm1 = nn.LayerNorm(width, device: device);
        token_attn = new Attention(width, heads, device: device);
        norm2 = nn.LayerNorm(width, device: device);
        frame_attn = new Attention(width, heads, device: device);
        norm3 = nn.LayerNorm(width, device: device);
        mlp = new Mlp(width, 4 * width, device);
        RegisterComponents();
    }

    /// <summary>x (B, L, N, W) → (B, L, N, W).</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], n = x.shape[2], w = x.shape[3];
        var tokens = x.reshape(b * l, n, w);                                                  // (B·L, N, W)
        x = (tokens + token_attn.forward(norm1.forward(tokens))).view(b, l, n, w);             // (B, L, N, W)
        var frames = x.permute(0, 2, 1, 3).reshape(b * n, l, w);                              // (B·N, L, W)
        frames = frames + frame_attn.forward(norm2.forward(frames));                          // (B·N, L, W)
        x = frames.view(b, n, l, w).permute(0, 2, 1, 3);                                      // (B, L, N, W)
        x = x + mlp.forward(norm3.forward(x));                                                // (B, L, N, W)
        return x.contiguous().MoveToOuterDisposeScope();
    }
}
