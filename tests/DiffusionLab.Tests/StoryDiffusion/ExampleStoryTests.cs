using DiffusionLab.Data.World;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.Notebooks;

namespace DiffusionLab.Tests.StoryDiffusion;

public class ExampleStoryTests
{
    internal static string BeachDayPath =>
        Path.Combine(NotebookRuns.RepositoryRoot(), "experiments", "story-characterworld", "stories", "beach-day.story");

    [Fact]
    public void Beach_day_parses_into_two_characters_and_eight_panels()
    {
        var story = StoryParser.Load(BeachDayPath);
        Assert.Equal(new[] { "Lily", "Tom" }, story.Characters.Select(c => c.Name));
        Assert.Equal(8, story.Panels.Count);
        Assert.Single(story.Panels, p => p.IsNoCharacter);
        Assert.All(story.Panels, p => Assert.False(string.IsNullOrEmpty(p.Caption)));
        Assert.Equal("a girl in a red shirt wearing a party hat smiling, on the beach", story.Panels[0].Prompt);
    }

    [Fact]
    public void Beach_day_prompts_use_only_CharacterWorld_words()
    {
        var story = StoryParser.Load(BeachDayPath);
        var vocabulary = WorldWords.Vocabulary.ToHashSet(StringComparer.Ordinal);
        foreach (var panel in story.Panels)
        {
            var unknown = WorldWords.Tokenize(panel.Prompt).Where(w => !vocabulary.Contains(w)).ToArray();
            Assert.True(unknown.Length == 0, $"panel {panel.Index + 1} (line {panel.Line}): '{string.Join("', '", unknown)}' not in WorldWords.Vocabulary");
        }
    }
}
