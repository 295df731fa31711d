using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>timm Mlp: fc1 D→hidden, GELU (tanh approximation, as DiT), fc2 hidden→D. Keys <c>fc1.*</c>, <c>fc2.*</c>.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public Mlp(int features, int hiddenFeatures, Device? device = null) : base(nameof(Mlp))
    {
        fc1 = nn.Linear(features, hiddenFeatures, device: device);
        fc2 = nn.Linear(hiddenFeatures, features, device: device);
        RegisterComponents();
        Init.XavierLinear(fc1);
        Init.XavierLinear(fc2);
    }

    public override Tensor forward(Tensor x)
    {
        using var h = fc1.forward(x);                                    // (N, T, hidden)
        using var a = nn.functional.gelu(h, GELU.Approximate.tanh);        // (N, T, hidden)
        return fc2.forward(a);                                           // (N, T, D)
    }
}
