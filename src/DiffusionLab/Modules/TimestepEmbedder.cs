using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// DiT timestep embedder (mdt.md §2): 256 sinusoidal frequencies ordered [cos, sin], then
/// Linear(256→D), SiLU, Linear(D→D). Keys <c>mlp.0.*</c>, <c>mlp.2.*</c>.
/// </summary>
public sealed class TimestepEmbedder : nn.Module<Tensor, Tensor>
{
    public const int FrequencySize = 256;

    private readonly Sequential mlp;

    public TimestepEmbedder(int hiddenSize, Device? device = null) : base(nameof(TimestepEmbedder))
    {
        mlp = nn.Sequential(
            nn.Linear(FrequencySize, hiddenSize, device: device),
            nn.SiLU(),
            nn.Linear(hiddenSize, hiddenSize, device: device));
        RegisterComponents();
        using var _ = no_grad();
        foreach (var i in new[] { 0, 2 })
        {
            var linear = (Linear)mlp[i];
            nn.init.normal_(linear.weight!, 0.0, 0.02);
            nn.init.zeros_(linear.bias!);
        }
    }

    /// <summary>(N) timesteps of any dtype → (N, dim) float32 [cos(t·f), sin(t·f)], f_i = 10000^(−i/half) (GLIDE).</summary>
    public static Tensor FrequencyEmbedding(Tensor t, int dim = FrequencySize, double maxPeriod = 10000)
    {
        int half = dim / 2;
        using var scope = NewDisposeScope();
        var freqs = exp(-Math.Log(maxPeriod) * arange(0, half, dtype: ScalarType.Float32, device: t.device) / half); // (half)
        var args = t.to(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0);                                      // (N, half)
        var emb = cat([cos(args), sin(args)], dim: -1);                                                              // (N, 2·half)
        if (dim % 2 == 1) emb = cat([emb, zeros_like(emb[.., ..1])], dim: -1);
        return emb.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor t)
    {
        var weight = ((Linear)mlp[0]).weight!;
        using var freq = FrequencyEmbedding(t).to(weight.dtype); // (N, 256)
        return mlp.forward(freq);                                // (N, D)
    }
}
