using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// timm PatchEmbed: Conv2d(C, D, kernel p, stride p) then flatten to row-major tokens (N, T, D)
/// (mdt.md §2). Key <c>proj.*</c>. Initialised like a Linear: xavier_uniform on the weight viewed as [D, C·p·p].
/// </summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public PatchEmbed(int patchSize, int inChannels, int hiddenSize, Device? device = null) : base(nameof(PatchEmbed))
    {
        proj = nn.Conv2d(inChannels, hiddenSize, patchSize, stride: patchSize, bias: true, device: device);
        RegisterComponents();
        using var _ = no_grad();
        var w = proj.weight!;
        var fanIn = inChannels * patchSize * patchSize;
        // xavier_uniform of the [D, C·p·p] view: bound sqrt(6 / (fan_in + fan_out)).
        var bound = Math.Sqrt(6.0 / (fanIn + hiddenSize));
        nn.init.uniform_(w, -bound, bound);
        nn.init.zeros_(proj.bias!);
    }

    public override Tensor forward(Tensor x)
    {
        using var y = proj.forward(x);        // (N, D, h, w)
        return y.flatten(2).transpose(1, 2);  // (N, h·w, D), token = row·w + col
    }
}
