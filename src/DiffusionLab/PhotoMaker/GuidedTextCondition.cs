using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// One text condition under classifier-free guidance: the network runs once on [x; x] with [cond; uncond]
/// embeddings, ε = ε_u + w·(ε_c − ε_u) on the first <c>epsChannels</c> channels, the rest (the learned variance) from
/// the conditional half. The batched embedding is built once and owned here.
/// </summary>
internal sealed class GuidedTextCondition : IDisposable
{
    private readonly TextEmbedding _condition;
    private readonly TextEmbedding? _both;
    private readonly double _scale;
    private readonly int _epsChannels;

    public GuidedTextCondition(TextEmbedding condition, TextEmbedding? unconditional, double scale, int epsChannels)
    {
        _condition = condition;
        _scale = scale;
        _epsChannels = epsChannels;
        if (scale == 1.0 || unconditional is null) return;
        long b = condition.Tokens.shape[0];
        Tensor Rows(Tensor t) => t.shape[0] == b ? t : t.expand([b, .. t.shape.Skip(1)]);
        _both = new TextEmbedding(
            cat([condition.Tokens, Rows(unconditional.Tokens).to(condition.Tokens.device)], 0).DetachFromDisposeScope(),
            cat([condition.Pooled, Rows(unconditional.Pooled).to(condition.Pooled.device)], 0).DetachFromDisposeScope(),
            cat([condition.PaddingMask, Rows(unconditional.PaddingMask).to(condition.PaddingMask.device)], 0).DetachFromDisposeScope());
    }

    public TextEmbedding Condition => _condition;

    public Tensor Denoise(Func<Tensor, Tensor, TextEmbedding, Tensor> network, Tensor x, Tensor t)
    {
        if (_both is null) return network(x, t, _condition);
        long n = x.shape[0];
        var output = network(cat([x, x], 0), cat([t, t], 0), _both);                        // (2N, C_out, H, W)
        var cond = output.narrow(0, 0, n);                                                   // (N, C_out, H, W)
        var uncond = output.narrow(0, n, n);
        var eps = uncond.narrow(1, 0, _epsChannels) + _scale * (cond.narrow(1, 0, _epsChannels) - uncond.narrow(1, 0, _epsChannels));
        long rest = cond.shape[1] - _epsChannels;
        return rest == 0 ? eps : cat([eps, cond.narrow(1, _epsChannels, rest)], 1);         // (N, C_out, H, W)
    }

    public void Dispose() => _both?.Dispose();
}
