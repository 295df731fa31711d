using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// EMA of a model's weights, θ_ema ← d·θ_ema + (1−d)·θ, every step, starting as a copy of the
/// initial weights (DiT/MDT train.py: decay 0.9999, no warm-up). The trainer pairs flat buffers, so an
/// update is one lerp per buffer.
/// With warm-up the decay of optimizer step t (1-based) is min(d, (1 + t) / (10 + t)) (diffusers'
/// EMAModel): without it, a run of a few thousand steps at d = 0.999 still holds e^(−steps/1000) of
/// its random initial weights in the average, and samples from it are noise.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly List<(Tensor Ema, Tensor Source)> _parameters;

    /// <summary>An average of <paramref name="parameters"/>' sources held in the paired tensors (copied from the sources now).</summary>
    public ExponentialMovingAverage(IReadOnlyList<(Tensor Ema, Tensor Source)> parameters, double decay, bool warmup = false)
    {
        Decay = decay;
        Warmup = warmup;
        _parameters = [.. parameters];
        CopyFromSource();
    }

    /// <summary>(average, trained tensor) pairs.</summary>
    public IReadOnlyList<(Tensor Ema, Tensor Source)> Parameters => _parameters;

    public double Decay { get; }

    public bool Warmup { get; }

    /// <summary>The decay applied at optimizer step <paramref name="step"/> (1-based).</summary>
    public double DecayAt(long step) => Warmup ? Math.Min(Decay, (1.0 + step) / (10.0 + step)) : Decay;

    public void CopyFromSource()
    {
        using var _ = torch.no_grad();
        foreach (var (ema, src) in _parameters) ema.copy_(src);
    }

    /// <summary>Averages in the current weights after optimizer step <paramref name="step"/> (1-based; it sets the warm-up decay).</summary>
    public void Update(long step)
    {
        using var _ = torch.no_grad();
        double decay = DecayAt(step);
        foreach (var (ema, src) in _parameters) ema.lerp_(src, 1 - decay);
    }
}
