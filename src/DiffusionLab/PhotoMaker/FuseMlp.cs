using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// PhotoMaker's (and FastComposer's) <c>MLP(in, out, hidden, use_residual)</c> (photomaker.md §1.2):
/// <c>layernorm</c> LayerNorm(in) → <c>fc1</c> Linear(in→hidden) → GELU (exact, erf) → <c>fc2</c>
/// Linear(hidden→out), plus the input when residual (which needs in = out).
/// </summary>
public sealed class FuseMlp : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm layernorm;
    private readonly Linear fc1;
    private readonly Linear fc2;

    public FuseMlp(int inDim, int outDim, int hiddenDim, bool useResidual, Device? device = null) : base(nameof(FuseMlp))
    {
        if (useResidual && inDim != outDim) throw new ArgumentException($"a residual MLP needs in = out, got {inDim} and {outDim}");
        UseResidual = useResidual;
        layernorm = nn.LayerNorm(inDim, device: device);
        fc1 = nn.Linear(inDim, hiddenDim, device: device);
        fc2 = nn.Linear(hiddenDim, outDim, device: device);
        register_module(nameof(layernorm), layernorm);
        register_module(nameof(fc1), fc1);
        register_module(nameof(fc2), fc2);
    }

    public bool UseResidual { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = fc1.forward(layernorm.forward(x));     // (…, hidden)
        h = fc2.forward(nn.functional.gelu(h));         // (…, out)
        return (UseResidual ? h + x : h).MoveToOuterDisposeScope();
    }
}
