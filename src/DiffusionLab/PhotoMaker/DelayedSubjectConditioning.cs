using DiffusionLab.Pipelines;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Delayed subject conditioning (FastComposer; photomaker.md §3.1) as the sampling pipeline's conditioning: for
/// denoising step i (0-based, first step = the noisiest), steps i ≤ start_merge_step use the text-only prompt embedding
/// (class word once, no ID) and later steps the stacked-ID embedding t*; the unconditional rows are the empty prompt's
/// embedding throughout. Owns the batched embeddings it builds, not the ones it is given.
/// </summary>
public sealed class DelayedSubjectConditioning : ISamplingConditioning, IDisposable
{
    /// <summary>The demo's cap on start_merge_step (§3.1: "capped at 30").</summary>
    public const int MaxStartMergeStep = 30;

    private readonly Func<Tensor, Tensor, TextEmbedding, Tensor> _network;
    private readonly TextEmbedding _textOnly, _stacked, _textOnlyBoth, _stackedBoth;
    private readonly Action<int, bool>? _onStep;

    /// <param name="network">(x_t, original t, text embedding) → model output.</param>
    /// <param name="textOnly">Embedding of the text-only prompt (N rows).</param>
    /// <param name="stackedId">t*, the embedding with stacked-ID tokens (N rows).</param>
    /// <param name="unconditional">Embedding of the empty prompt (1 or N rows).</param>
    /// <param name="startMergeStep">The last step that sees the text-only prompt.</param>
    /// <param name="onStep">Told, per step, its index and whether it used the stacked-ID embedding.</param>
    public DelayedSubjectConditioning(Func<Tensor, Tensor, TextEmbedding, Tensor> network, TextEmbedding textOnly, TextEmbedding stackedId,
        TextEmbedding unconditional, int startMergeStep, Action<int, bool>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(textOnly);
        ArgumentNullException.ThrowIfNull(stackedId);
        ArgumentNullException.ThrowIfNull(unconditional);
        if (textOnly.Tokens.shape[0] != stackedId.Tokens.shape[0])
            throw new ArgumentException($"{textOnly.Tokens.shape[0]} text-only rows but {stackedId.Tokens.shape[0]} stacked-ID rows: expected one of each per image");
        _network = network;
        _textOnly = textOnly;
        _stacked = stackedId;
        _onStep = onStep;
        StartMerge = startMergeStep;
        _textOnlyBoth = WithUnconditional(textOnly, unconditional);
        _stackedBoth = WithUnconditional(stackedId, unconditional);
    }

    /// <summary>start_merge_step of this conditioning.</summary>
    public int StartMerge { get; }

    public int Count => (int)_textOnly.Tokens.shape[0];

    public Tensor Predict(Tensor x, Tensor originalTimesteps, int step, int steps, bool withUnconditional)
    {
        bool useId = UsesIdTokens(step, StartMerge);
        _onStep?.Invoke(step, useId);
        var text = (useId, withUnconditional) switch
        {
            (true, true) => _stackedBoth,
            (true, false) => _stacked,
            (false, true) => _textOnlyBoth,
            (false, false) => _textOnly,
        };
        return _network(x, originalTimesteps, text);
    }

    /// <summary>The demo's mapping (§3.1): int(style_strength_ratio / 100 · num_steps), capped at 30 (20 % of 50 steps → 10).</summary>
    public static int StartMergeStep(double styleStrengthPercent, int steps)
    {
        if (!(styleStrengthPercent >= 0 && styleStrengthPercent <= 100))
            throw new ArgumentOutOfRangeException(nameof(styleStrengthPercent), styleStrengthPercent, "style strength: expected a percentage in [0, 100]");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps: expected a positive integer");
        return Math.Min((int)(styleStrengthPercent / 100 * steps), MaxStartMergeStep);
    }

    /// <summary>The rule itself: step i uses the stacked-ID embedding iff i &gt; start_merge_step.</summary>
    public static bool UsesIdTokens(int step, int startMergeStep) => step > startMergeStep;

    /// <summary>[condition rows; unconditional rows] (2N rows), built once and kept out of the per-step dispose scopes.</summary>
    private static TextEmbedding WithUnconditional(TextEmbedding condition, TextEmbedding unconditional)
    {
        long n = condition.Tokens.shape[0];
        Tensor Both(Tensor c, Tensor u) =>
            cat([c, (u.shape[0] == n ? u : u.expand([n, .. u.shape.Skip(1)])).to(c.device)], 0).DetachFromDisposeScope();
        return new TextEmbedding(Both(condition.Tokens, unconditional.Tokens), Both(condition.Pooled, unconditional.Pooled),
            Both(condition.PaddingMask, unconditional.PaddingMask));
    }

    public void Dispose()
    {
        _textOnlyBoth.Dispose();
        _stackedBoth.Dispose();
    }
}
