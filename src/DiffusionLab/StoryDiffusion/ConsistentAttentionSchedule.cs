namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// When consistent self-attention is on during sampling (storydiffusion.md §2.5, the low-VRAM app's code values):
/// plain attention for the first <see cref="PlainSteps"/> steps, then each layer call flips a coin: CSA with
/// probability <see cref="EarlyProbability"/> before <see cref="SwitchFraction"/> of the steps (20 of 50),
/// <see cref="LateProbability"/> after. The paper does not ablate any of it, so every value is a knob.
/// </summary>
public sealed record ConsistentAttentionSchedule
{
    /// <summary>Official: step 0 is plain self-attention (write and read).</summary>
    public int PlainSteps { get; init; } = 1;
    /// <summary>Official: steps &lt; 20 of 50 use the early probability.</summary>
    public double SwitchFraction { get; init; } = 0.4;
    /// <summary>Official: threshold 0.3 → P(CSA) = 0.7 before the switch.</summary>
    public double EarlyProbability { get; init; } = 0.7;
    /// <summary>Official: threshold 0.1 → P(CSA) = 0.9 after the switch.</summary>
    public double LateProbability { get; init; } = 0.9;

    /// <summary>Every step after the plain ones, every layer: the deterministic schedule for tests and ablations.</summary>
    public static ConsistentAttentionSchedule Always { get; } = new() { PlainSteps = 0, EarlyProbability = 1, LateProbability = 1 };

    /// <summary>The probability of CSA at <paramref name="step"/> (0 = the first, noisiest step) of <paramref name="totalSteps"/>.</summary>
    public double Probability(int step, int totalSteps)
    {
        if (step < PlainSteps) return 0;
        return step < SwitchFraction * totalSteps ? EarlyProbability : LateProbability;
    }

    public void Validate()
    {
        if (PlainSteps < 0) throw new ArgumentException($"PlainSteps={PlainSteps}: expected >= 0");
        if (SwitchFraction is < 0 or > 1) throw new ArgumentException($"SwitchFraction={SwitchFraction}: expected a value in [0, 1]");
        if (EarlyProbability is < 0 or > 1) throw new ArgumentException($"EarlyProbability={EarlyProbability}: expected a value in [0, 1]");
        if (LateProbability is < 0 or > 1) throw new ArgumentException($"LateProbability={LateProbability}: expected a value in [0, 1]");
    }
}
