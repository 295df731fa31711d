namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A character of a story: the <c>[Name] description</c> line of StoryDiffusion's "Textual
/// Description for Character" box (storydiffusion.md §3.1). The description replaces the tag in every
/// panel of the character. ReferenceImages are photos for the PhotoMaker mode (§3.4), from a
/// <c>[Name] refs: a.png, b.png</c> line; empty when the character is described by text only.
/// </summary>
/// <param name="Name">The tag's name without brackets, case-sensitive ("Lily").</param>
/// <param name="Description">The words that stand in for the tag ("a girl in a red shirt").</param>
/// <param name="ReferenceImages">Image paths as written, or resolved against the story's folder by <see cref="StoryParser.Load"/>.</param>
/// <param name="Line">The 1-based line of the description, for messages about this character.</param>
public sealed record StoryCharacter(string Name, string Description, IReadOnlyList<string> ReferenceImages, int Line)
{
    /// <summary>The tag as it is written in the story: "[Lily]".</summary>
    public string Tag => $"[{Name}]";
}
