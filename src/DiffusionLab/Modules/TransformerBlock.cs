using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// adaLN-Zero transformer block (DiTBlock / MDTBlock, mdt.md §2, §4): LayerNorms without affine
/// (eps 1e-6), attention and MLP residuals gated by <c>adaLN_modulation</c> = Sequential(SiLU,
/// Linear(D, 6D)) zero-initialised, so a fresh block is the identity. With a skip (MDTv2 long /
/// dense input shortcut), <c>skip_linear</c> Linear(2D→D) fuses cat[x, skip] before the residuals.
/// A text-conditioned block adds PixArt-α's cross-attention between the two: <c>norm_cross</c> (LayerNorm
/// with affine) then <c>cross_attn</c> to the text tokens, an ungated residual whose projection starts at zero.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Attention attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
    private readonly Sequential adaLN_modulation;
    private readonly Linear? skip_linear;
    private readonly LayerNorm? norm_cross;
    private readonly CrossAttention? cross_attn;

    public TransformerBlock(int hiddenSize, int numHeads, double mlpRatio = 4.0, int? relativeGridSize = null,
        bool skip = false, Device? device = null, int? contextDim = null) : base(nameof(TransformerBlock))
    {
        norm1 = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: false, device: device);
        attn = new Attention(hiddenSize, numHeads, relativeGridSize, device);
        norm2 = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: false, device: device);
        mlp = new Mlp(hiddenSize, (int)(hiddenSize * mlpRatio), device);
        var modulation = nn.Linear(hiddenSize, 6 * hiddenSize, device: device);
        adaLN_modulation = nn.Sequential(nn.SiLU(), modulation);
        foreach (var (name, m) in new (string, nn.Module)[] { (nameof(norm1), norm1), (nameof(attn), attn), (nameof(norm2), norm2), (nameof(mlp), mlp), (nameof(adaLN_modulation), adaLN_modulation) })
            register_module(name, m);
        if (skip)
        {
            skip_linear = nn.Linear(2 * hiddenSize, hiddenSize, device: device);
            register_module(nameof(skip_linear), skip_linear);
            Init.XavierLinear(skip_linear);
        }
        if (contextDim is int dc)
        {
            norm_cross = nn.LayerNorm(hiddenSize, eps: 1e-6, device: device);
            cross_attn = new CrossAttention(hiddenSize, dc, numHeads, device);
            register_module(nameof(norm_cross), norm_cross);
            register_module(nameof(cross_attn), cross_attn);
        }
        Init.ZeroLinear(modulation);
    }

    public bool HasSkip => skip_linear is not null;

    public bool HasCrossAttention => cross_attn is not null;

    /// <summary>The block's self-attention (for <see cref="ISelfAttentionProcessor"/>s that reuse its projections).</summary>
    public Attention SelfAttention => attn;

    public override Tensor forward(Tensor x, Tensor c) => forward(x, c, null, null);

    /// <summary>
    /// x (N, K, D), c (N, D); <paramref name="skip"/> (N, K, D) required iff the block has a skip;
    /// <paramref name="idsKeep"/> (N, K) when x holds only the kept tokens of a masked latent.
    /// </summary>
    public Tensor forward(Tensor x, Tensor c, Tensor? skip, Tensor? idsKeep) => forward(x, c, skip, idsKeep, null, null, "");

    /// <summary>
    /// As above, plus the text tokens <paramref name="text"/> (required iff the block has cross-attention) and an
    /// optional <paramref name="selfAttention"/> that replaces the self-attention of this call (unmasked path only);
    /// <paramref name="name"/> is the block's name as the processor sees it.
    /// </summary>
    public Tensor forward(Tensor x, Tensor c, Tensor? skip, Tensor? idsKeep, CrossAttentionContext? text, ISelfAttentionProcessor? selfAttention, string name)
    {
        if ((skip is null) == HasSkip)
            throw new ArgumentException(HasSkip ? "this block fuses a skip: pass one" : "this block has no skip_linear: pass no skip");
        if ((text is null) == HasCrossAttention)
            throw new ArgumentException(HasCrossAttention ? "this block cross-attends to text: pass the text tokens" : "this block has no cross-attention: pass no text");
        if (selfAttention is not null && idsKeep is not null)
            throw new ArgumentException("a self-attention processor replaces attention over all tokens; the masked path (idsKeep) takes none");
        using var scope = NewDisposeScope();
        if (skip_linear is not null) x = skip_linear.forward(cat([x, skip!], dim: -1));        // (N, K, D)
        var m = adaLN_modulation.forward(c).unsqueeze(1).chunk(6, dim: -1);                    // 6 × (N, 1, D)
        var a = Modulate(norm1.forward(x), m[0], m[1]);                                        // (N, K, D)
        var h = selfAttention is null ? attn.forward(a, idsKeep) : selfAttention.Attend(name, attn, a); // (N, K, D)
        x = addcmul(x, m[2], h, 1);                                                            // (N, K, D) x + gate·h, one pass
        if (cross_attn is not null) x = x + cross_attn.forward(norm_cross!.forward(x), text!);  // (N, K, D)
        h = mlp.forward(Modulate(norm2.forward(x), m[3], m[4]));                               // (N, K, D)
        x = addcmul(x, m[5], h, 1);                                                            // (N, K, D)
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>adaLN: x·(1 + scale) + shift, broadcast over tokens.</summary>
    internal static Tensor Modulate(Tensor x, Tensor shift, Tensor scale) => addcmul(shift, x, scale + 1, 1);
}
