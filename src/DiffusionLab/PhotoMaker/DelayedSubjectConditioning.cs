using DiffusionLab.Diffusion;
using DiffusionLab.Sampling;
using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Delayed subject conditioning (FastComposer; photomaker.md §3.1): for denoising step i (0-based, first step = the
/// noisiest), steps i ≤ start_merge_step use the text-only prompt embedding (class word once, no ID) and later steps
/// the stacked-ID embedding t*; the unconditional (empty-prompt) embedding is the same throughout. Wraps both
/// conditions under classifier-free guidance as one <see cref="DenoiseFn"/>; owns the batched embeddings it builds,
/// not the ones it is given.
/// </summary>
public sealed class DelayedSubjectConditioning : IDisposable
{
    /// <summary>The demo's cap on start_merge_step (§3.1: "capped at 30").</summary>
    public const int MaxStartMergeStep = 30;

    private readonly GuidedTextCondition _textOnly;
    private readonly GuidedTextCondition _stacked;
    private readonly Dictionary<long, int> _stepOf;

    /// <param name="network">(x_t, original t, text embedding) → model output.</param>
    /// <param name="diffusion">The respaced process the sampler walks (maps original timesteps to step indices).</param>
    /// <param name="textOnly">Embedding of the text-only prompt (B rows).</param>
    /// <param name="stackedId">t*, the embedding with stacked-ID tokens (B rows).</param>
    /// <param name="unconditional">Embedding of the empty prompt (1 or B rows); null or a scale of 1 skips guidance.</param>
    /// <param name="guidanceScale">w of classifier-free guidance.</param>
    /// <param name="epsChannels">Channels of ε in the output (the image channels); the rest pass through from the conditional pass.</param>
    /// <param name="startMergeStep">The last step that sees the text-only prompt.</param>
    /// <param name="onStep">Told, per step, its index and whether it used the stacked-ID embedding.</param>
    public DelayedSubjectConditioning(Func<Tensor, Tensor, TextEmbedding, Tensor> network, SpacedDiffusion diffusion, TextEmbedding textOnly,
        TextEmbedding stackedId, TextEmbedding? unconditional, double guidanceScale, int epsChannels, int startMergeStep, Action<int, bool>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        StartMerge = startMergeStep;
        var map = diffusion.TimestepMap;
        _stepOf = Enumerable.Range(0, map.Length).ToDictionary(k => map[k], k => map.Length - 1 - k);
        _textOnly = new GuidedTextCondition(textOnly, unconditional, guidanceScale, epsChannels);
        _stacked = new GuidedTextCondition(stackedId, unconditional, guidanceScale, epsChannels);
        Denoise = (x, t) =>
        {
            long original = t[0].item<long>();
            int step = _stepOf.TryGetValue(original, out int s) ? s
                : throw new ArgumentException($"timestep {original} is not one of the {map.Length} steps of the respaced process");
            bool useId = UsesIdTokens(step, StartMerge);
            onStep?.Invoke(step, useId);
            return (useId ? _stacked : _textOnly).Denoise(network, x, t);
        };
    }

    /// <summary>start_merge_step of this sampler.</summary>
    public int StartMerge { get; }

    /// <summary>The sampler's model function.</summary>
    public DenoiseFn Denoise { get; }

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

    public void Dispose()
    {
        _textOnly.Dispose();
        _stacked.Dispose();
    }
}
