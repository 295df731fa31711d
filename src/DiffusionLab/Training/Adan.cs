using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Adan, adaptive Nesterov momentum (Xie et al., 2022), as in sail-sg/Adan (mdt.md §8), the MDTv2
/// optimizer: betas (0.98, 0.92, 0.99), eps 1e-8, decoupled "prox" weight decay. Gradient clipping is
/// done by the caller on the global norm (the official ZeRO setup clips per shard).
/// </summary>
public sealed class Adan : ParameterOptimizer
{
    private readonly List<(Tensor M, Tensor V, Tensor N, Tensor PrevGrad)> _state;
    private readonly double _beta1, _beta2, _beta3, _eps, _weightDecay;

    public Adan(IEnumerable<(string, Parameter)> parameters, double learningRate, double beta1 = 0.98, double beta2 = 0.92, double beta3 = 0.99, double eps = 1e-8, double weightDecay = 0.0)
        : base(parameters)
    {
        LearningRate = learningRate;
        (_beta1, _beta2, _beta3, _eps, _weightDecay) = (beta1, beta2, beta3, eps, weightDecay);
        _state = Buffers.Select(b => (b.NewBuffer(), b.NewBuffer(), b.NewBuffer(), b.NewBuffer())).ToList();
    }

    protected override void Update(int index, Tensor p, Tensor g)
    {
        var (m, v, n, prev) = _state[index];
        // d = g_k − g_{k−1}, zero at the first step (the reference sets pre_grad = g before step 1).
        var d = StepCount == 1 ? torch.zeros_like(g) : g - prev;
        m.mul_(_beta1).add_(g, alpha: 1 - _beta1);
        v.mul_(_beta2).add_(d, alpha: 1 - _beta2);
        var nesterov = g + d * _beta2;
        n.mul_(_beta3).addcmul_(nesterov, nesterov, 1 - _beta3);
        double bias1 = 1 - Math.Pow(_beta1, StepCount);
        double bias2 = 1 - Math.Pow(_beta2, StepCount);
        double bias3 = 1 - Math.Pow(_beta3, StepCount);
        var denom = (n.sqrt() / Math.Sqrt(bias3)).add_(_eps);
        p.addcdiv_(m, denom, -LearningRate / bias1);
        p.addcdiv_(v, denom, -LearningRate * _beta2 / bias2);
        if (_weightDecay != 0) p.div_(1 + LearningRate * _weightDecay);
        prev.copy_(g);
    }

    protected override IEnumerable<(string Name, Tensor Flat)> State(int index)
    {
        var (m, v, n, prev) = _state[index];
        yield return ("exp_avg", m);
        yield return ("exp_avg_diff", v);
        yield return ("exp_avg_sq", n);
        yield return ("pre_grad", prev);
    }
}
