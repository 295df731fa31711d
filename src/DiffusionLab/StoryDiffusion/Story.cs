namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A parsed story (<see cref="StoryParser"/>): its characters in the order they were defined and its
/// panels in comic order. Source names the file, for messages.
/// </summary>
public sealed record Story(string Source, IReadOnlyList<StoryCharacter> Characters, IReadOnlyList<StoryPanel> Panels)
{
    /// <summary>The character of that name; KeyNotFoundException naming the known ones otherwise.</summary>
    public StoryCharacter Character(string name) =>
        Characters.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{Source}: no character [{name}]; defined: {string.Join(", ", Characters.Select(c => c.Tag))}");

    /// <summary>The panels showing that character, in comic order.</summary>
    public IReadOnlyList<StoryPanel> PanelsOf(string name)
    {
        _ = Character(name);
        return Panels.Where(p => p.Character == name).ToArray();
    }

    public IReadOnlyList<string?> Captions => Panels.Select(p => p.Caption).ToArray();

    public IReadOnlyList<string> Prompts => Panels.Select(p => p.Prompt).ToArray();
}
