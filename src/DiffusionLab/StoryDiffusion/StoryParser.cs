using System.Text;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Reads a story file: StoryDiffusion's two prompt boxes (storydiffusion.md §3.1) in one text file.
/// <code>
/// // a comment: any line whose first non-blank characters are //
/// [Lily] a girl in a red shirt wearing a party hat
/// [Tom] a boy in a blue shirt with a cap
/// [Lily] refs: photos/lily-1.png, photos/lily-2.png
///
/// [Lily] smiling, on the beach #Lily finds a shell.
/// [NC] the beach under the night sky #The sun goes down. #3
/// </code>
/// <list type="bullet">
/// <item>Characters first, one <c>[Name] description</c> per line. A name is any text without
/// brackets or <c>#</c>; <c>NC</c> (any case) is reserved. As in the official code, text after a
/// <c>#</c> in a description is dropped (a note to the reader).</item>
/// <item><c>[Name] refs: a.png, b.png</c>, after the character's description line: its reference
/// images for the PhotoMaker mode (§3.4), comma-separated (so a path cannot contain a comma). Relative
/// paths are resolved against <c>baseDirectory</c> when one is given (<see cref="Load"/> gives the
/// story's folder) and kept as written otherwise.</item>
/// <item>The first blank line after a character ends the characters; every later non-blank,
/// non-comment line is a panel. Blank and comment lines among the panels are skipped, so scenes can
/// be separated by blank lines.</item>
/// <item>A panel starts with its one tag: <c>[Name]</c> or <c>[NC]</c> for a panel without a
/// character. The caption is the text after the line's LAST <c>#</c> (so earlier <c>#</c>s stay in
/// the action, as in the official code), trimmed; no <c>#</c> or nothing after it: no caption.</item>
/// <item>Prompt = description + " " + action, which is the official substitution of the tag by
/// "description " with whitespace collapsed; an <c>[NC]</c> panel's prompt is its action.</item>
/// </list>
/// Deviations from the official app, chosen for a file format: one file instead of two boxes (the
/// blank line separates them); a panel names exactly one character, with its tag first (the official
/// code replaces tags anywhere and allows two per line); a line without <c>#</c> has no caption
/// (the official one is captioned with the whole line, tags included); a line without a tag is an
/// error rather than an untagged panel; there is no limit of two characters.
/// </summary>
public static class StoryParser
{
    public const string NoCharacterName = "NC";
    public const string ReferencesPrefix = "refs:";

    /// <summary>Reads and parses a story file; reference image paths are resolved against its folder.</summary>
    public static Story Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"story file '{path}' not found", path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(File.ReadAllText(path), path, folder);
    }

    /// <summary>
    /// Parses a story's text; <paramref name="source"/> names it in error messages. Throws
    /// <see cref="StoryFormatException"/> at the first problem.
    /// </summary>
    public static Story Parse(string text, string source, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var lines = text.Split('\n');
        var characters = new List<StoryCharacter>();
        var refsLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var panels = new List<StoryPanel>();
        int separator = 0; // line of the blank line that ends the characters; 0 while reading them
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].TrimEnd('\r').Trim();
            if (line.StartsWith("//", StringComparison.Ordinal)) continue;
            if (line.Length == 0)
            {
                if (separator == 0 && characters.Count > 0) separator = number;
                continue;
            }
            var fail = (string problem) => new StoryFormatException(source, number, problem);
            var (name, rest) = Tag(line, fail);
            if (separator == 0)
                ReadCharacter(name, rest, number, characters, refsLine, baseDirectory, fail);
            else
                panels.Add(ReadPanel(name, rest, number, panels.Count, characters, fail));
        }
        if (characters.Count == 0)
            throw new StoryFormatException(source, null, "no characters: expected '[Name] description' lines first, then a blank line, then the panels");
        if (separator == 0)
            throw new StoryFormatException(source, null, $"no panels: expected a blank line after the characters (last one on line {characters[^1].Line}), then one panel per line");
        if (panels.Count == 0)
            throw new StoryFormatException(source, null, $"no panels after the blank line on line {separator}: expected one '[Name] action #caption' or '[NC] action #caption' per line");
        return new Story(source, characters, panels);
    }

    private static void ReadCharacter(string name, string rest, int number, List<StoryCharacter> characters,
        Dictionary<string, int> refsLine, string? baseDirectory, Func<string, StoryFormatException> fail)
    {
        if (IsNoCharacter(name))
            throw fail($"[{name}] is a panel tag, not a character (missing blank line between the characters and the panels?)");
        int existing = characters.FindIndex(c => c.Name == name);
        if (rest.StartsWith(ReferencesPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (existing < 0) throw fail($"references for [{name}] before its description: expected '[{name}] description' on an earlier line");
            if (refsLine.TryGetValue(name, out int earlier)) throw fail($"references for [{name}] given twice (first on line {earlier})");
            var paths = rest[ReferencesPrefix.Length..].Split(',').Select(p => p.Trim()).ToArray();
            if (paths.Any(p => p.Length == 0)) throw fail($"[{name}] refs: expected comma-separated image paths, got '{rest}'");
            if (baseDirectory is not null) paths = paths.Select(p => Path.GetFullPath(Path.Combine(baseDirectory, p))).ToArray();
            refsLine[name] = number;
            characters[existing] = characters[existing] with { ReferenceImages = paths };
            return;
        }
        if (existing >= 0)
            throw fail($"[{name}] is already defined on line {characters[existing].Line} (missing blank line between the characters and the panels?)");
        int hash = rest.IndexOf('#');
        string description = Collapse(hash >= 0 ? rest[..hash] : rest);
        if (description.Length == 0) throw fail($"[{name}] has no description: expected '[{name}] description'");
        characters.Add(new StoryCharacter(name, description, Array.Empty<string>(), number));
    }

    private static StoryPanel ReadPanel(string name, string rest, int number, int index, List<StoryCharacter> characters,
        Func<string, StoryFormatException> fail)
    {
        StoryCharacter? character = null;
        if (!IsNoCharacter(name))
        {
            character = characters.Find(c => c.Name == name)
                ?? throw fail($"unknown character [{name}]: expected one of {string.Join(", ", characters.Select(c => c.Tag))} or [NC]");
        }
        int hash = rest.LastIndexOf('#');
        string? caption = hash >= 0 ? Collapse(rest[(hash + 1)..]) : null;
        if (caption?.Length == 0) caption = null;
        string action = Collapse(hash >= 0 ? rest[..hash] : rest);
        foreach (var tag in characters.Select(c => c.Tag).Append($"[{NoCharacterName}]"))
            if (action.Contains(tag, StringComparison.Ordinal))
                throw fail($"second tag {tag} in a panel: a panel shows one character, named by the tag that starts the line");
        if (character is null && action.Length == 0)
            throw fail("[NC] panel without an action: expected '[NC] what the picture shows #caption'");
        if (character is not null && action.Length == 0 && caption is null)
            throw fail($"empty panel: expected an action or a '#caption' after [{name}]");
        string prompt = character is null ? action : action.Length == 0 ? character.Description : $"{character.Description} {action}";
        return new StoryPanel(index, character?.Name, action, caption, prompt, number);
    }

    /// <summary>Splits "[Name] rest" into the trimmed name and the rest.</summary>
    private static (string Name, string Text) Tag(string line, Func<string, StoryFormatException> fail)
    {
        if (line[0] != '[')
            throw fail($"expected a line starting with a tag '[Name]' or '[NC]', got '{Shorten(line)}'");
        int close = line.IndexOf(']');
        if (close < 0) throw fail($"malformed tag: no ']' in '{Shorten(line)}'");
        string name = line[1..close].Trim();
        if (name.Length == 0) throw fail("malformed tag: '[]' has no name");
        if (name.IndexOfAny(['[', '#']) >= 0) throw fail($"malformed tag '{line[..(close + 1)]}': a name cannot contain '[' or '#'");
        return (name, line[(close + 1)..].Trim());
    }

    private static bool IsNoCharacter(string name) => string.Equals(name, NoCharacterName, StringComparison.OrdinalIgnoreCase);

    private static string Collapse(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (b.Length > 0) b.Append(' ');
            b.Append(word);
        }
        return b.ToString();
    }

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..37] + "...";
}
