using DiffusionLab.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>A pre-LN ViT layer (CLIP vision tower): x + attn(ln_1 x), then x + mlp(ln_2 x); bidirectional attention.</summary>
internal sealed class VisionEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;

    public VisionEncoderLayer(int width, int heads, int hidden, Device? device) : base(nameof(VisionEncoderLayer))
    {
        ln_1 = nn.LayerNorm(width, device: device);
        attn = new Attention(width, heads, device: device);
        ln_2 = nn.LayerNorm(width, device: device);
        mlp = new Mlp(width, hidden, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x));             // (M, 1+P, W)
        x = x + mlp.forward(ln_2.forward(x));              // (M, 1+P, W)
        return x.MoveToOuterDisposeScope();
    }
}
