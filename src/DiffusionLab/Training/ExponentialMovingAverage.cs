using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// EMA of a model's weights, θ_ema ← d·θ_ema + (1−d)·θ, every step with no warm-up, starting as a
/// copy of the initial weights (DiT/MDT train.py, decay 0.9999). Buffers are copied.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly List<(Tensor Ema, Tensor Source)> _parameters;
    private readonly List<(Tensor Ema, Tensor Source)> _buffers;

    public ExponentialMovingAverage(nn.Module source, nn.Module shadow, double decay)
    {
        Shadow = shadow;
        Decay = decay;
        var src = source.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        _parameters = shadow.named_parameters().Select(p => ((Tensor)p.parameter, src[p.name])).ToList();
        var srcBuffers = source.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _buffers = shadow.named_buffers().Select(b => (b.buffer, srcBuffers[b.name])).ToList();
        foreach (var p in shadow.parameters()) p.requires_grad = false;
        shadow.eval();
        CopyFromSource();
    }

    /// <summary>The averaged model (eval mode, no gradients).</summary>
    public nn.Module Shadow { get; }

    public double Decay { get; }

    public void CopyFromSource()
    {
        using var _ = torch.no_grad();
        foreach (var (ema, src) in _parameters) ema.copy_(src);
        foreach (var (ema, src) in _buffers) ema.copy_(src);
    }

    public void Update()
    {
        using var _ = torch.no_grad();
        foreach (var (ema, src) in _parameters) ema.lerp_(src, 1 - Decay);
    }
}
