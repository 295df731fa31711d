namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// One panel of a story: one line of StoryDiffusion's "Comic Description" box (storydiffusion.md §3.1).
/// </summary>
/// <param name="Index">0-based position among the panels, the order of the comic.</param>
/// <param name="Character">The character's name, or null for an <c>[NC]</c> (no character) panel.</param>
/// <param name="Action">The line's text between the tag and the caption, whitespace collapsed (may be empty for a character panel).</param>
/// <param name="Caption">The text after the line's last <c>#</c>, trimmed; null when the line has none.</param>
/// <param name="Prompt">What the text-to-image model is given: the character's description, a space, the action (§3.1's tag substitution).</param>
/// <param name="Line">The 1-based line in the story file.</param>
public sealed record StoryPanel(int Index, string? Character, string Action, string? Caption, string Prompt, int Line)
{
    /// <summary>True for an <c>[NC]</c> panel: generated without any character's consistency.</summary>
    public bool IsNoCharacter => Character is null;
}
