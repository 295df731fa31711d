using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Multi-head self-attention with a fused <c>qkv</c> Linear(D, 3D) and <c>proj</c> Linear(D, D)
/// (timm / MDT, mdt.md §2); optional per-block <c>rel_pos_bias</c> added to the scaled logits (MDT).
/// Runs on SDPA, with the relative bias as a float attn_mask.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly RelativePositionBias? rel_pos_bias;

    public Attention(int dim, int numHeads, int? relativeGridSize = null, Device? device = null) : base(nameof(Attention))
    {
        NumHeads = numHeads;
        qkv = nn.Linear(dim, 3 * dim, hasBias: true, device: device);
        proj = nn.Linear(dim, dim, device: device);
        register_module(nameof(qkv), qkv);
        register_module(nameof(proj), proj);
        if (relativeGridSize is int g)
        {
            rel_pos_bias = new RelativePositionBias(g, numHeads, device);
            register_module(nameof(rel_pos_bias), rel_pos_bias);
        }
        Init.XavierLinear(qkv);
        Init.XavierLinear(proj);
    }

    public int NumHeads { get; }

    public bool HasRelativePositionBias => rel_pos_bias is not null;

    /// <summary>Full attention over all tokens (full relative bias where there is one).</summary>
    public override Tensor forward(Tensor x) => forward(x, null);

    /// <summary>
    /// x (B, K, D). With <paramref name="idsKeep"/> (B, K) the tokens are the kept ones in that order,
    /// and the relative bias is gathered on both axes (mdt.md §3 masked path).
    /// </summary>
    public Tensor forward(Tensor x, Tensor? idsKeep)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], d = x.shape[2];
        var heads = qkv.forward(x).view(b, n, 3, NumHeads, d / NumHeads).permute(2, 0, 3, 1, 4); // (3, B, H, K, d/H)
        var (q, k, v) = (heads[0], heads[1], heads[2]);                                         // (B, H, K, d/H)
        var bias = rel_pos_bias is null ? null
            : (idsKeep is null ? rel_pos_bias.Bias() : rel_pos_bias.GatherBias(idsKeep)).to(x.dtype); // (H,K,K) | (B,H,K,K)
        var o = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: bias, p: 0.0, is_casual: false); // (B, H, K, d/H)
        var y = proj.forward(o.transpose(1, 2).reshape(b, n, d));                              // (B, K, D)
        return y.MoveToOuterDisposeScope();
    }
}
