using DiffusionLab.StoryDiffusion;
namespace DiffusionLab.Studies;

/// <summary>
/// One story rendered by one method with one seed, as the judges saw it: character similarity (mean pairwise
/// identity cosine among its panels: storydiffusion.md §5.1's Character Sim), prompt accuracy (our Text-Image
/// Sim) overall and per factor, structure validity, and seconds per panel.
/// </summary>
public sealed record StoryStudyRow(string Method, long Seed, string Story, double CharacterSimilarity, double PromptAccuracy,
    IReadOnlyDictionary<string, double> PerFactor, double StructureValidity, double SecondsPerPanel);
