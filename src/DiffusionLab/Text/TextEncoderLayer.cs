using DiffusionLab.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>Pre-LN transformer layer (CLIP's ResidualAttentionBlock): x + attn(ln_1(x)), then + mlp(ln_2(x)).</summary>
internal sealed class TextEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;

    public TextEncoderLayer(int width, int heads, int mlpHidden, Device? device) : base(nameof(TextEncoderLayer))
    {
        ln_1 = nn.LayerNorm(width, device: device);
        attn = new CausalSelfAttention(width, heads, device);
        ln_2 = nn.LayerNorm(width, device: device);
        mlp = new Mlp(width, mlpHidden, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x));       // (B, L, D)
        x = x + mlp.forward(ln_2.forward(x));        // (B, L, D)
        return x.MoveToOuterDisposeScope();
    }
}
