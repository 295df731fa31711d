using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Mixed precision by hand (TorchSharp 0.107 has no autocast): a bfloat16 working copy of the model
/// runs forward and backward; the fp32 master model keeps the weights the optimizer and the EMA
/// update. The trainer binds the working copy to the masters' flat buffers (<see cref="Bind"/>); each step:
/// <see cref="PullWeights"/> (master → bf16), forward/backward on the working copy, <see cref="PushGradients"/>
/// (bf16 grads → fp32 master grads), one copy per buffer.
/// </summary>
public sealed class Bf16Compute(nn.Module work)
{
    private readonly List<(FlatParameters Master, Tensor Values, Tensor Grads)> _flat = [];

    /// <summary>The bfloat16 working copy (same parameter names as the master model).</summary>
    public nn.Module Work { get; } = work.to(ScalarType.BFloat16);

    /// <summary>
    /// Lays the working copy out like the masters' flat buffers (its parameters and gradients views of one bf16 buffer
    /// each), so pulling the weights and pushing the gradients are one copy per buffer instead of one per tensor.
    /// </summary>
    public void Bind(IReadOnlyList<FlatParameters> masters)
    {
        var work = Work.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var _ = torch.no_grad();
        foreach (var master in masters)
        {
            var values = torch.zeros_like(master.Values, dtype: ScalarType.BFloat16).DetachFromDisposeScope();
            var grads = torch.zeros_like(master.Values, dtype: ScalarType.BFloat16).DetachFromDisposeScope();
            for (int i = 0; i < master.Names.Count; i++)
            {
                var p = work[master.Names[i]];
                var view = master.View(values, i);
                view.copy_(p);
                p.set_(view);
                p.grad = master.View(grads, i);
            }
            _flat.Add((master, values, grads));
        }
    }

    public void PullWeights()
    {
        if (_flat.Count == 0) throw new InvalidOperationException("the bf16 working copy is not bound to the master weights' buffers (Bind)");
        using var _ = torch.no_grad();
        foreach (var (master, values, _) in _flat) values.copy_(master.Values);
    }

    public void PushGradients()
    {
        using var _ = torch.no_grad();
        foreach (var (master, _, grads) in _flat)
        {
            master.Grads.copy_(grads);
            grads.zero_();
        }
    }
}
