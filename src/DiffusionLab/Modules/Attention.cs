using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Multi-head self-attention with a fused <c>qkv</c> Linear(D, 3D) and <c>proj</c> Linear(D, D)
/// (timm / MDT, mdt.md §2); optional per-block <c>rel_pos_bias</c> added to the scaled logits (MDT).
/// Runs on SDPA, with the relative bias as a float attn_mask. The projections run through <c>call</c>, so forward
/// hooks on them (adapters such as <see cref="LoraAdapters"/>) apply on every path.
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
    public override Tensor forward(Tensor x) => Attend(x, null, null);

    /// <summary>
    /// x (B, K, D). With <paramref name="idsKeep"/> (B, K) the tokens are the kept ones in that order,
    /// and the relative bias is gathered on both axes (mdt.md §3 masked path).
    /// </summary>
    public Tensor forward(Tensor x, Tensor? idsKeep) => Attend(x, null, idsKeep);

    /// <summary>
    /// The tokens x (B, K, D) attend over themselves and over <paramref name="extraKeysValues"/> (B, E, D), which
    /// only give keys and values (through the same projections) and get no relative bias: the building block of
    /// consistent self-attention, where the extra tokens are sampled from the other images.
    /// </summary>
    public Tensor Attend(Tensor x, Tensor? extraKeysValues, Tensor? idsKeep)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], d = x.shape[2], dh = d / NumHeads;
        var heads = qkv.call(x).view(b, n, 3, NumHeads, dh).permute(2, 0, 3, 1, 4);           // (3, B, H, K, dh)
        var (q, k, v) = (heads[0], heads[1], heads[2]);                                         // (B, H, K, dh)
        var bias = rel_pos_bias is null ? null
            // The full bias as (1, H, K, K), never (H, K, K): libtorch's CPU SDPA takes a path about 4x slower for a 3-D mask.
            : (idsKeep is null ? rel_pos_bias.Bias().unsqueeze(0) : rel_pos_bias.GatherBias(idsKeep)).to(x.dtype); // (1|B, H, K, K)
        if (extraKeysValues is not null)
        {
            long e = extraKeysValues.shape[1];
            // Through the whole qkv (not its k/v rows alone) so a hook on qkv also shapes the extra keys and values.
            var extra = qkv.call(extraKeysValues).narrow(2, d, 2 * d)
                .view(b, e, 2, NumHeads, dh).permute(2, 0, 3, 1, 4);                            // (2, B, H, E, dh)
            k = cat([k, extra[0]], dim: 2);                                                     // (B, H, K+E, dh)
            v = cat([v, extra[1]], dim: 2);                                                     // (B, H, K+E, dh)
            if (bias is not null) bias = nn.functional.pad(bias, [0, e]);                       // (1|B, H, K, K+E) zero for extra
        }
        var o = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: bias, p: 0.0, is_casual: false); // (B, H, K, dh)
        var y = proj.call(o.transpose(1, 2).reshape(b, n, d));                              // (B, K, D)
        return y.MoveToOuterDisposeScope();
    }
}
