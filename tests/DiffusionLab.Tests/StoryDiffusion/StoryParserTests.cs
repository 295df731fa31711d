using DiffusionLab.StoryDiffusion;

namespace DiffusionLab.Tests.StoryDiffusion;

public class StoryParserTests
{
    private const string Good = """
        // two friends
        [Lily] a girl in a red shirt
        [Tom]   a boy   in a blue shirt # the quiet one

        [Lily] smiling, on the beach #Lily finds a shell.
        [NC] a picture of the beach # The sun goes down.

        // scene two
        [Tom] sad, in the city
        [Lily] #Lily waves.
        """;

    private static StoryFormatException Fails(string text) =>
        Assert.Throws<StoryFormatException>(() => StoryParser.Parse(text, "bad.story"));

    [Fact]
    public void Characters_are_read_in_order_with_notes_after_hash_dropped()
    {
        var story = StoryParser.Parse(Good, "good.story");
        Assert.Equal(new[] { "Lily", "Tom" }, story.Characters.Select(c => c.Name));
        Assert.Equal("a girl in a red shirt", story.Characters[0].Description);
        Assert.Equal("a boy in a blue shirt", story.Characters[1].Description);
        Assert.Equal(new[] { 2, 3 }, story.Characters.Select(c => c.Line));
        Assert.All(story.Characters, c => Assert.Empty(c.ReferenceImages));
        Assert.Equal("[Tom]", story.Characters[1].Tag);
    }

    [Fact]
    public void Panels_carry_character_action_caption_prompt_and_line()
    {
        var story = StoryParser.Parse(Good, "good.story");
        Assert.Equal(4, story.Panels.Count); // blank and comment lines among the panels are skipped
        var p = story.Panels;
        Assert.Equal(new[] { 0, 1, 2, 3 }, p.Select(x => x.Index));
        Assert.Equal(new[] { 5, 6, 9, 10 }, p.Select(x => x.Line));
        Assert.Equal(new string?[] { "Lily", null, "Tom", "Lily" }, p.Select(x => x.Character));
        Assert.True(p[1].IsNoCharacter);
        Assert.Equal("smiling, on the beach", p[0].Action);
        Assert.Equal("Lily finds a shell.", p[0].Caption);
        Assert.Equal("The sun goes down.", p[1].Caption);
        Assert.Null(p[2].Caption); // no '#': no caption
        Assert.Equal("", p[3].Action);
        Assert.Equal("Lily waves.", p[3].Caption);
    }

    [Fact]
    public void Prompt_is_description_space_action_and_NC_is_the_action_alone()
    {
        var story = StoryParser.Parse(Good, "good.story");
        Assert.Equal("a girl in a red shirt smiling, on the beach", story.Panels[0].Prompt);
        Assert.Equal("a picture of the beach", story.Panels[1].Prompt);
        Assert.Equal("a boy in a blue shirt sad, in the city", story.Panels[2].Prompt);
        Assert.Equal("a girl in a red shirt", story.Panels[3].Prompt); // no action: the description alone
        Assert.Equal(story.Panels.Select(x => x.Prompt), story.Prompts);
        Assert.Equal(story.Panels.Select(x => x.Caption), story.Captions);
    }

    [Fact]
    public void Caption_is_the_text_after_the_last_hash()
    {
        var story = StoryParser.Parse("[A] a man\n\n[A] smiling #take #2 # the last word\n[A] angry #\n[NC] a room #x#y", "s");
        Assert.Equal("smiling #take #2", story.Panels[0].Action);
        Assert.Equal("the last word", story.Panels[0].Caption);
        Assert.Equal("a man smiling #take #2", story.Panels[0].Prompt);
        Assert.Null(story.Panels[1].Caption); // nothing after '#'
        Assert.Equal("a room #x", story.Panels[2].Action);
        Assert.Equal("y", story.Panels[2].Caption);
    }

    [Fact]
    public void Windows_line_ends_and_lowercase_nc_are_accepted()
    {
        var story = StoryParser.Parse("[A] a man\r\n\r\n[nc] a room #empty\r\n[A] smiling\r\n", "s");
        Assert.Null(story.Panels[0].Character);
        Assert.Equal("empty", story.Panels[0].Caption);
        Assert.Equal("a man smiling", story.Panels[1].Prompt);
    }

    [Fact]
    public void Reference_images_are_attached_and_resolved_against_the_base_directory()
    {
        const string text = "[A] a man\n[A] refs: a.png, sub/b.png\n[B] a woman\n\n[A] smiling\n";
        var raw = StoryParser.Parse(text, "s");
        Assert.Equal(new[] { "a.png", "sub/b.png" }, raw.Character("A").ReferenceImages);
        Assert.Empty(raw.Character("B").ReferenceImages);
        var resolved = StoryParser.Parse(text, "s", "/data/stories");
        Assert.Equal(new[] { "/data/stories/a.png", "/data/stories/sub/b.png" }, resolved.Character("A").ReferenceImages);
        Assert.Equal("a man", resolved.Character("A").Description);
    }

    [Fact]
    public void Story_finds_characters_and_their_panels()
    {
        var story = StoryParser.Parse(Good, "good.story");
        Assert.Equal(new[] { 0, 3 }, story.PanelsOf("Lily").Select(p => p.Index));
        var missing = Assert.Throws<KeyNotFoundException>(() => story.Character("Bob"));
        Assert.Contains("[Lily], [Tom]", missing.Message);
    }

    [Theory]
    [InlineData("", null, "no characters")]
    [InlineData("// only a comment\n\n", null, "no characters")]
    [InlineData("[A] a man\n[B] a woman", null, "no panels: expected a blank line after the characters (last one on line 2)")]
    [InlineData("[A] a man\n\n// nothing\n\n", null, "no panels after the blank line on line 2")]
    [InlineData("[A] a man\n\n[B] smiling", 3, "unknown character [B]: expected one of [A] or [NC]")]
    [InlineData("[A] a man\n[A] a woman\n\n[A] x", 2, "[A] is already defined on line 1")]
    [InlineData("[A] a man\n[A] smiling #missing blank line", 2, "[A] is already defined on line 1 (missing blank line")]
    [InlineData("[A a man\n\n[A] x", 1, "malformed tag: no ']'")]
    [InlineData("[] a man\n\n[A] x", 1, "malformed tag: '[]' has no name")]
    [InlineData("A a man\n\n[A] x", 1, "expected a line starting with a tag '[Name]' or '[NC]'")]
    [InlineData("[A]\n\n[A] x", 1, "[A] has no description")]
    [InlineData("[A] # only a note\n\n[A] x", 1, "[A] has no description")]
    [InlineData("[NC] a room\n\n[NC] x", 1, "[NC] is a panel tag, not a character")]
    [InlineData("[A] a man\n\n[A] x\n[A]\n", 4, "empty panel: expected an action or a '#caption' after [A]")]
    [InlineData("[A] a man\n\n[NC] #caption only", 3, "[NC] panel without an action")]
    [InlineData("[A] a man\n\n[A] x\nsmiling on the beach", 4, "expected a line starting with a tag")]
    [InlineData("[A] a man\n[B] a woman\n\n[A] and [B] on the beach", 4, "second tag [B] in a panel")]
    [InlineData("[A] a man\n[B] refs: b.png\n\n[A] x", 2, "references for [B] before its description")]
    [InlineData("[A] a man\n[A] refs: a.png\n[A] refs: b.png\n\n[A] x", 3, "references for [A] given twice (first on line 2)")]
    [InlineData("[A] a man\n[A] refs: a.png,,b.png\n\n[A] x", 2, "expected comma-separated image paths")]
    [InlineData("[A] a man\n\n[A#1] x", 3, "a name cannot contain '[' or '#'")]
    public void Bad_stories_fail_with_file_line_and_what_was_expected(string text, int? line, string problem)
    {
        var e = Fails(text);
        Assert.Equal("bad.story", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith(line is { } n ? $"bad.story:{n}: " : "bad.story: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_names_the_path_in_errors_and_reads_the_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), "difflab-story-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "s.story");
            File.WriteAllText(path, "[A] a man\n[A] refs: me.png\n\n[A] smiling #hi");
            var story = StoryParser.Load(path);
            Assert.Equal(path, story.Source);
            Assert.Equal(Path.Combine(dir, "me.png"), story.Character("A").ReferenceImages[0]);
            File.WriteAllText(path, "[A] a man\n\n[Z] smiling");
            var e = Assert.Throws<StoryFormatException>(() => StoryParser.Load(path));
            Assert.StartsWith($"{path}:3: unknown character [Z]", e.Message);
            Assert.Throws<FileNotFoundException>(() => StoryParser.Load(Path.Combine(dir, "missing.story")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
