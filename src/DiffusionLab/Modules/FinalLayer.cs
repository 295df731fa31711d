using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// DiT final layer (mdt.md §2): LayerNorm (no affine, eps 1e-6) modulated by <c>adaLN_modulation</c>
/// = Sequential(SiLU, Linear(D, 2D)) as (shift, scale), then <c>linear</c> D → p·p·C_out. All zero-initialised.
/// </summary>
public sealed class FinalLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm_final;
    private readonly Linear linear;
    private readonly Sequential adaLN_modulation;

    public FinalLayer(int hiddenSize, int patchSize, int outChannels, Device? device = null) : base(nameof(FinalLayer))
    {
        norm_final = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: false, device: device);
        linear = nn.Linear(hiddenSize, patchSize * patchSize * outChannels, device: device);
        var modulation = nn.Linear(hiddenSize, 2 * hiddenSize, device: device);
        adaLN_modulation = nn.Sequential(nn.SiLU(), modulation);
        register_module(nameof(norm_final), norm_final);
        register_module(nameof(linear), linear);
        register_module(nameof(adaLN_modulation), adaLN_modulation);
        Init.ZeroLinear(linear);
        Init.ZeroLinear(modulation);
    }

    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        var m = adaLN_modulation.forward(c).unsqueeze(1).chunk(2, dim: -1);          // 2 × (N, 1, D): shift, scale
        var y = linear.forward(TransformerBlock.Modulate(norm_final.forward(x), m[0], m[1])); // (N, T, p·p·C_out)
        return y.MoveToOuterDisposeScope();
    }
}
