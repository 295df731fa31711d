using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019) with PyTorch's update order: decoupled decay p ← p(1 − lr·wd),
/// then the bias-corrected Adam step. DiT and MDTv1 use lr 1e-4 / 3e-4, betas (0.9, 0.999), wd 0.
/// </summary>
public sealed class AdamW : ParameterOptimizer
{
    private readonly List<(Tensor ExpAvg, Tensor ExpAvgSq)> _state;
    private readonly double _beta1, _beta2, _eps, _weightDecay;

    public AdamW(IEnumerable<(string, Parameter)> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.0)
        : base(parameters)
    {
        LearningRate = learningRate;
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        _state = Buffers.Select(b => (b.NewBuffer(), b.NewBuffer())).ToList();
    }

    protected override void Update(int index, Tensor p, Tensor g)
    {
        var (m, v) = _state[index];
        if (_weightDecay != 0) p.mul_(1 - LearningRate * _weightDecay);
        m.lerp_(g, 1 - _beta1);
        v.mul_(_beta2).addcmul_(g, g, 1 - _beta2);
        double bias1 = 1 - Math.Pow(_beta1, StepCount);
        double bias2 = 1 - Math.Pow(_beta2, StepCount);
        var denom = (v.sqrt() / Math.Sqrt(bias2)).add_(_eps);
        p.addcdiv_(m, denom, -LearningRate / bias1);
    }

    protected override IEnumerable<(string Name, Tensor Flat)> State(int index)
    {
        yield return ("exp_avg", _state[index].ExpAvg);
        yield return ("exp_avg_sq", _state[index].ExpAvgSq);
    }
}
