using DiffusionLab.Data.World;

namespace DiffusionLab.StoryDiffusion;

/// <summary>Two keyframes of one person in one scene (same background, clothing, headwear and details) and how far apart they are.</summary>
/// <param name="Identity">The CharacterWorld identity.</param>
/// <param name="Start">The first keyframe's factors.</param>
/// <param name="End">The last keyframe's factors.</param>
/// <param name="Motion">The motion size in [0, 1] the pair was drawn with (<see cref="KeyframePairs.Of"/>).</param>
public sealed record KeyframePair(int Identity, ImageFactors Start, ImageFactors End, double Motion);
