using DiffusionLab.Data.World;

namespace DiffusionLab.Evaluation.World;

/// <summary>Which renders the evaluator's FD compares against, and how it batches.</summary>
public sealed record CharacterWorldEvaluatorConfig
{
    /// <summary>
    /// The world the generators were trained on; its held-out identities are the FD reference,
    /// rendered at the world's own size and resampled to the judges' 64×64 like the generated images.
    /// </summary>
    public CharacterWorldConfig World { get; init; } = new();
    /// <summary>Images 0..K−1 of every held-out identity: 200 × 10 = 2,000 reference images, as many as the MNIST judge's test split.</summary>
    public int ReferenceImagesPerIdentity { get; init; } = 10;
    public int BatchSize { get; init; } = 250;
    /// <summary>Threads that render the reference set.</summary>
    public int RenderParallelism { get; init; } = 2;

    public void Validate()
    {
        World.Validate();
        if (World.ImageSize is < 16 or > 256)
            throw new ArgumentOutOfRangeException(nameof(World), $"World.ImageSize {World.ImageSize}: the judges resample 16 to 256 pixels to their {JudgeTrunk.ImageSize}×{JudgeTrunk.ImageSize}");
        if (World.HeldOutIdentities < 1) throw new ArgumentOutOfRangeException(nameof(World), "World.HeldOutIdentities 0: the FD reference needs held-out identities");
        if (ReferenceImagesPerIdentity < 1) throw new ArgumentOutOfRangeException(nameof(ReferenceImagesPerIdentity), $"ReferenceImagesPerIdentity {ReferenceImagesPerIdentity}: expected >= 1");
        if ((long)ReferenceImagesPerIdentity * World.HeldOutIdentities < 2)
            throw new ArgumentOutOfRangeException(nameof(ReferenceImagesPerIdentity), "the FD reference needs at least 2 images");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"BatchSize {BatchSize}: expected >= 1");
        if (RenderParallelism < 1) throw new ArgumentOutOfRangeException(nameof(RenderParallelism), $"RenderParallelism {RenderParallelism}: expected >= 1");
    }
}
