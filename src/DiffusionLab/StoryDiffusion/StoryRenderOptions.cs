namespace DiffusionLab.StoryDiffusion;

/// <summary>How a story's panels are generated (storydiffusion.md §3.1, §3.5).</summary>
public sealed record StoryRenderOptions
{
    /// <summary>The seed of the first reference panel; references j start from Seed + j.</summary>
    public long Seed { get; init; } = 0;
    /// <summary>
    /// Reference panels per character (id_length): its first panels, generated together while writing its bank.
    /// Official: slider 1–4, examples 2–3. A character with fewer panels uses all of them.
    /// </summary>
    public int ReferencePanels { get; init; } = 2;
    /// <summary>
    /// Official low-VRAM app: every later panel reseeds, so it starts from the noise of the first reference
    /// (storydiffusion.md §2.8). False: panel i starts from Seed + i.
    /// </summary>
    public bool PanelsReuseFirstSeed { get; init; } = true;
    /// <summary>False: every panel plainly and independently (the "no CSA" baseline), same seeds.</summary>
    public bool Consistent { get; init; } = true;

    public void Validate()
    {
        if (ReferencePanels < 1) throw new ArgumentException($"ReferencePanels={ReferencePanels}: expected at least 1");
    }
}
