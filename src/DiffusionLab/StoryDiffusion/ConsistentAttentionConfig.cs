namespace DiffusionLab.StoryDiffusion;

/// <summary>Consistent self-attention settings (storydiffusion.md §2).</summary>
public sealed record ConsistentAttentionConfig
{
    /// <summary>Fraction of each other image's tokens a query image also attends to; the paper's default 0.5 (0.3 "could not maintain subject consistency").</summary>
    public double SamplingRate { get; init; } = 0.5;
    /// <summary>Blocks whose self-attention becomes consistent (state-dict prefixes); null = the decoder blocks, as the official code's up_blocks.</summary>
    public IReadOnlyList<string>? Blocks { get; init; }
    public ConsistentAttentionSchedule Schedule { get; init; } = new();
    /// <summary>Seeds the token draws and the per-layer coins, so a story renders the same twice.</summary>
    public long Seed { get; init; } = 0;

    public void Validate()
    {
        if (SamplingRate is < 0 or > 1) throw new ArgumentException($"SamplingRate={SamplingRate}: expected a value in [0, 1]");
        Schedule.Validate();
    }
}
