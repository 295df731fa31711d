using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// EMA of a model's weights, θ_ema ← d·θ_ema + (1−d)·θ, every step, starting as a copy of the
/// initial weights (DiT/MDT train.py: decay 0.9999, no warm-up). Buffers are copied.
/// With warm-up the decay of optimizer step t (1-based) is min(d, (1 + t) / (10 + t)) (diffusers'
/// EMAModel): without it, a run of a few thousand steps at d = 0.999 still holds e^(−steps/1000) of
/// its random initial weights in the average, and samples from it are noise.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly List<(Tensor Ema, Tensor Source)> _parameters;
    private readonly List<(Tensor Ema, Tensor Source)> _buffers;

    public ExponentialMovingAverage(nn.Module source, nn.Module shadow, double decay, bool warmup = false)
        : this(Pairs(source, shadow), decay, warmup)
    {
        Shadow = shadow;
        var srcBuffers = source.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _buffers = shadow.named_buffers().Select(b => (b.buffer, srcBuffers[b.name])).ToList();
        foreach (var p in shadow.parameters()) p.requires_grad = false;
        shadow.eval();
        CopyFromSource();
    }

    /// <summary>An average of <paramref name="parameters"/>' sources held in the paired tensors (copied from the sources now).</summary>
    public ExponentialMovingAverage(IReadOnlyList<(Tensor Ema, Tensor Source)> parameters, double decay, bool warmup = false)
    {
        Decay = decay;
        Warmup = warmup;
        _parameters = [.. parameters];
        _buffers = [];
        CopyFromSource();
    }

    private static List<(Tensor, Tensor)> Pairs(nn.Module source, nn.Module shadow)
    {
        var src = source.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        return shadow.named_parameters().Where(p => src[p.name].requires_grad).Select(p => ((Tensor)p.parameter, src[p.name])).ToList();
    }

    /// <summary>The averaged model (eval mode, no gradients), when the average lives in a module's copy.</summary>
    public nn.Module? Shadow { get; }

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
        foreach (var (ema, src) in _buffers) ema.copy_(src);
    }

    /// <summary>Averages in the current weights after optimizer step <paramref name="step"/> (1-based; it sets the warm-up decay).</summary>
    public void Update(long step)
    {
        using var _ = torch.no_grad();
        double decay = DecayAt(step);
        foreach (var (ema, src) in _parameters) ema.lerp_(src, 1 - decay);
    }
}
