using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// A temporal attention layer (AnimateDiff's motion module, Guo et al. 2023, in its simplest form): the tokens at one
/// spatial position across the F frames of a clip attend to each other, after a LayerNorm (<c>norm</c>) and a sin-cos
/// frame-position encoding; <c>proj_out</c> starts at zero, so a fresh layer is the identity and an image network with
/// these layers inserted draws every frame exactly as before (the image model is unchanged at the start of training).
/// </summary>
public sealed class TemporalAttention : nn.Module
{
    private readonly LayerNorm norm;
    private readonly Attention attn;
    private readonly Linear proj_out;

    public TemporalAttention(int dim, int numHeads, Device? device = null) : base(nameof(TemporalAttention))
    {
        if (dim % numHeads != 0) throw new ArgumentException($"dim {dim} must be divisible by numHeads {numHeads}");
        if (dim % 2 != 0) throw new ArgumentException($"dim {dim}: expected an even width (sin-cos frame positions)");
        norm = nn.LayerNorm(dim, device: device);
        attn = new Attention(dim, numHeads, device: device);
        proj_out = nn.Linear(dim, dim, device: device);
        RegisterComponents();
        Init.ZeroLinear(proj_out);
    }

    /// <summary>
    /// x (B·F, K, D): F frames of each clip in a row (clip-major), K tokens per frame; returns x plus the temporal update,
    /// same shape. With F = 1 each token attends only to itself.
    /// </summary>
    public Tensor Forward(Tensor x, int frames)
    {
        if (frames < 1 || x.shape[0] % frames != 0)
            throw new ArgumentException($"temporal attention: {x.shape[0]} rows are not whole clips of {frames} frames");
        using var scope = NewDisposeScope();
        long bf = x.shape[0], k = x.shape[1], d = x.shape[2], b = bf / frames;
        var positions = SinCosPositionEmbedding.OneDimensional((int)d, arange(frames, device: x.device)).to(x.dtype); // (F, D)
        var seq = x.view(b, frames, k, d).permute(0, 2, 1, 3).reshape(b * k, frames, d);          // (B·K, F, D)
        var h = attn.forward(norm.forward(seq) + positions);                                      // (B·K, F, D)
        h = proj_out.forward(h).view(b, k, frames, d).permute(0, 2, 1, 3).reshape(bf, k, d);      // (B·F, K, D)
        return (x + h).MoveToOuterDisposeScope();                                                 // (B·F, K, D)
    }
}
