using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>A transition between two panels of one character: its frames (L, 3, S, S) in [−1, 1], from panel <paramref name="FromPanel"/> to <paramref name="ToPanel"/> (story indices).</summary>
public sealed record TransitionClip(string Character, int FromPanel, int ToPanel, Tensor Frames) : IDisposable
{
    /// <summary>"Lily-1-3": the character and the panels' numbers as the page shows them (from 1).</summary>
    public string Name => $"{Character}-{FromPanel + 1}-{ToPanel + 1}";

    public void Dispose() => Frames.Dispose();
}
