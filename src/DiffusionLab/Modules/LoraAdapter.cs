using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// A low-rank residual ΔW x = (α/r)·B(A x) for one Linear layer (LoRA, Hu et al. 2021): <c>lora_A</c>
/// Linear(in→r), <c>lora_B</c> Linear(r→out), both without bias. A starts as PyTorch's default Linear
/// init (kaiming-uniform with a = √5, i.e. U(±1/√in), as PEFT does), B at zero, so a fresh adapter adds
/// nothing. Knows nothing of the layer it adapts; <see cref="LoraAdapters"/> attaches it.
/// </summary>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
{
    private readonly Linear lora_A;
    private readonly Linear lora_B;

    /// <summary>An adapter for a Linear(in→out); A is drawn from <paramref name="generator"/> (null: libtorch's global one).</summary>
    public LoraAdapter(int inFeatures, int outFeatures, int rank, double alpha, Device? device = null, Generator? generator = null) : base(nameof(LoraAdapter))
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), rank, "LoRA rank: expected at least 1");
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "LoRA alpha: expected a positive finite number");
        (InFeatures, OutFeatures, Rank, Alpha) = (inFeatures, outFeatures, rank, alpha);
        lora_A = nn.Linear(inFeatures, rank, hasBias: false, device: device);
        lora_B = nn.Linear(rank, outFeatures, hasBias: false, device: device);
        register_module(nameof(lora_A), lora_A);
        register_module(nameof(lora_B), lora_B);
        using var _ = no_grad();
        double bound = 1.0 / Math.Sqrt(inFeatures);
        using (var a = empty(lora_A.weight!.shape).uniform_(-bound, bound, generator)) lora_A.weight!.copy_(a);
        lora_B.weight!.zero_();
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public int Rank { get; }
    public double Alpha { get; }

    /// <summary>α/r, the factor on B(A x).</summary>
    public double Scale => Alpha / Rank;

    public Parameter A => lora_A.weight!;
    public Parameter B => lora_B.weight!;

    /// <summary>x (…, in) → the residual (…, out) to add to the adapted layer's output.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var low = lora_A.forward(x.to(A.dtype));                     // (…, r)
        return (lora_B.forward(low) * Scale).MoveToOuterDisposeScope(); // (…, out)
    }

    /// <summary>(α/r)·B·A, the (out, in) weight change the adapter stands for.</summary>
    public Tensor DeltaWeight() => B.matmul(A) * Scale;
}
