using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Cross-attention from image tokens to text tokens (PixArt-α's MultiHeadCrossAttention): <c>q_linear</c>
/// D→D, <c>kv_linear</c> D_text→2D, <c>proj</c> D→D. <c>proj</c> starts at zero, so a fresh block ignores
/// the text and starts as the identity, in the spirit of adaLN-Zero. The projections run through <c>call</c>, so
/// forward hooks on them (adapters such as <see cref="LoraAdapters"/>) apply.
/// </summary>
public sealed class CrossAttention : nn.Module<Tensor, CrossAttentionContext, Tensor>
{
    private readonly Linear q_linear;
    private readonly Linear kv_linear;
    private readonly Linear proj;

    public CrossAttention(int dim, int contextDim, int numHeads, Device? device = null) : base(nameof(CrossAttention))
    {
        if (dim % numHeads != 0) throw new ArgumentException($"dim {dim} must be divisible by numHeads {numHeads}");
        NumHeads = numHeads;
        q_linear = nn.Linear(dim, dim, device: device);
        kv_linear = nn.Linear(contextDim, 2 * dim, device: device);
        proj = nn.Linear(dim, dim, device: device);
        register_module(nameof(q_linear), q_linear);
        register_module(nameof(kv_linear), kv_linear);
        register_module(nameof(proj), proj);
        Init.XavierLinear(q_linear);
        Init.XavierLinear(kv_linear);
        Init.ZeroLinear(proj);
    }

    public int NumHeads { get; }

    /// <summary>x (B, K, D) attends over the context tokens (B, L, D_text); padded context tokens are never attended.</summary>
    public override Tensor forward(Tensor x, CrossAttentionContext context)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], d = x.shape[2], l = context.Tokens.shape[1], dh = d / NumHeads;
        var q = q_linear.call(x).view(b, n, NumHeads, dh).transpose(1, 2);                          // (B, H, K, dh)
        var kv = kv_linear.call(context.Tokens).view(b, l, 2, NumHeads, dh).permute(2, 0, 3, 1, 4); // (2, B, H, L, dh)
        var mask = context.KeyMask is null ? null
            : where(context.KeyMask.view(b, 1, 1, l), 0.0f, float.NegativeInfinity).to(x.dtype);      // (B, 1, 1, L)
        var o = nn.functional.scaled_dot_product_attention(q, kv[0], kv[1], attn_mask: mask, p: 0.0, is_casual: false); // (B, H, K, dh)
        return proj.call(o.transpose(1, 2).reshape(b, n, d)).MoveToOuterDisposeScope();           // (B, K, D)
    }
}
