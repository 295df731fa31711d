using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A generated story: one image per panel in story order (P, C, H, W) in [−1, 1], the panels that served as
/// each character's references, and the character banks (written here or given). Owns the images and the
/// banks it wrote.
/// </summary>
public sealed class StoryGeneration(Tensor panels, IReadOnlyDictionary<string, CharacterBank> banks, IReadOnlyDictionary<string, IReadOnlyList<int>> referencePanels,
    IReadOnlyCollection<CharacterBank> owned) : IDisposable
{
    public Tensor Panels { get; } = panels;
    public IReadOnlyDictionary<string, CharacterBank> Banks { get; } = banks;
    public IReadOnlyDictionary<string, IReadOnlyList<int>> ReferencePanels { get; } = referencePanels;

    /// <summary>The panels as a list of (C, H, W) images, for the comic renderer.</summary>
    public IReadOnlyList<Tensor> PanelList => Enumerable.Range(0, (int)Panels.shape[0]).Select(i => Panels[i]).ToList();

    public void Dispose()
    {
        Panels.Dispose();
        foreach (var bank in owned) bank.Dispose();
    }
}
