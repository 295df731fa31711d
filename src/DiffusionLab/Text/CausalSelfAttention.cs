using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// Multi-head self-attention where each token sees itself and the tokens before it (CLIP's text
/// tower mask), fused <c>qkv</c> Linear(D, 3D) and <c>proj</c> Linear(D, D), on SDPA.
/// Initialised by <see cref="TextEncoder.ResetParameters"/>.
/// </summary>
internal sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int _heads;

    public CausalSelfAttention(int dim, int heads, Device? device) : base(nameof(CausalSelfAttention))
    {
        _heads = heads;
        qkv = nn.Linear(dim, 3 * dim, device: device);
        proj = nn.Linear(dim, dim, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], d = x.shape[2];
        var heads = qkv.forward(x).view(b, n, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4);    // (3, B, H, L, d/H)
        var o = nn.functional.scaled_dot_product_attention(heads[0], heads[1], heads[2], p: 0.0, is_casual: true); // (B, H, L, d/H)
        return proj.forward(o.transpose(1, 2).reshape(b, n, d)).MoveToOuterDisposeScope();       // (B, L, D)
    }
}
