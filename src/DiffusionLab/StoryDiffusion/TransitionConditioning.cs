using DiffusionLab.Pipelines;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Transition clips as the sampling pipeline's conditioning: B clips of L frames are B·L images (clip-major), each
/// frame's row the clip's prompt and that frame's keyframe embedding (predicted or interpolated; none in the text-only
/// mode); the unconditional rows are the empty prompt with the keyframes hidden. The clip generator runs all of a
/// call's rows at once so its temporal layers see whole clips: [condition clips; unconditional clips]. Owns its tensors.
/// </summary>
internal sealed class TransitionConditioning : ISamplingConditioning, IDisposable
{
    private readonly ClipGenerator _clip;
    private readonly int _frames;
    private readonly TextEmbedding _rows, _both;
    private readonly Tensor? _keyframes, _keyframesBoth, _visibleBoth;

    /// <param name="clip">The clip generator that draws the frames.</param>
    /// <param name="ids">Prompt token ids (B, L_t).</param>
    /// <param name="keyframes">(B, L, N, E) per-frame embeddings, or null for text only.</param>
    /// <param name="frames">L, frames per clip.</param>
    public TransitionConditioning(ClipGenerator clip, Tensor ids, Tensor? keyframes, int frames)
    {
        _clip = clip;
        _frames = frames;
        var device = clip.Backbone.parameters().First().device;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = ids.to(ScalarType.Int64).to(device).repeat_interleave(frames, dim: 0);                 // (B·L, L_t)
        var nul = clip.Backbone.NullCondition().to(device).unsqueeze(0).expand_as(rows);                   // (B·L, L_t)
        _rows = Keep(clip.Backbone.EncodeText(rows));
        _both = Keep(clip.Backbone.EncodeText(cat([rows, nul], 0)));
        Count = (int)rows.shape[0];
        if (keyframes is not null)
        {
            if (keyframes.shape[0] * frames != Count || keyframes.shape[1] != frames)
                throw new ArgumentException($"keyframe embeddings [{string.Join(", ", keyframes.shape)}]: expected ({ids.shape[0]}, {frames}, N, E)");
            var flat = keyframes.to(device).flatten(0, 1);                                                // (B·L, N, E)
            _keyframes = flat.detach().DetachFromDisposeScope();
            _keyframesBoth = cat([flat, flat], 0).detach().DetachFromDisposeScope();                    // (2·B·L, N, E)
            _visibleBoth = cat([ones(Count, dtype: ScalarType.Bool), zeros(Count, dtype: ScalarType.Bool)], 0).to(device).DetachFromDisposeScope();
        }
    }

    public int Count { get; }

    public Tensor Predict(Tensor x, Tensor originalTimesteps, int step, int steps, bool withUnconditional) =>
        withUnconditional
            ? _clip.Forward(x, originalTimesteps, _both, _keyframesBoth, _visibleBoth, _frames)
            : _clip.Forward(x, originalTimesteps, _rows, _keyframes, null, _frames);

    private static TextEmbedding Keep(TextEmbedding e) =>
        new(e.Tokens.DetachFromDisposeScope(), e.Pooled.DetachFromDisposeScope(), e.PaddingMask.DetachFromDisposeScope());

    public void Dispose()
    {
        _rows.Dispose();
        _both.Dispose();
        _keyframes?.Dispose();
        _keyframesBoth?.Dispose();
        _visibleBoth?.Dispose();
    }
}
