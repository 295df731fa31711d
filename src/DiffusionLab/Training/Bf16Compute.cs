using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Mixed precision by hand (TorchSharp 0.107 has no autocast): a bfloat16 working copy of the model
/// runs forward and backward; the fp32 master model keeps the weights the optimizer and the EMA
/// update. Each step: <see cref="PullWeights"/> (master → bf16), forward/backward on the working
/// copy, <see cref="PushGradients"/> (bf16 grads → fp32 master grads).
/// </summary>
public sealed class Bf16Compute
{
    private readonly List<(Tensor Master, Tensor Work)> _parameters;

    public Bf16Compute(nn.Module master, nn.Module work)
    {
        work.to(ScalarType.BFloat16);
        var byName = work.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        _parameters = master.named_parameters().Where(p => p.parameter.requires_grad).Select(p => ((Tensor)p.parameter, byName[p.name])).ToList();
        Work = work;
    }

    public nn.Module Work { get; }

    public void PullWeights()
    {
        using var _ = torch.no_grad();
        foreach (var (master, work) in _parameters) work.copy_(master);
    }

    public void PushGradients()
    {
        using var _ = torch.no_grad();
        foreach (var (master, work) in _parameters)
        {
            if (work.grad is null) continue;
            if (master.grad is null) master.grad = work.grad.to(ScalarType.Float32);
            else master.grad.copy_(work.grad);
            work.grad.zero_();
        }
    }
}
