namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// A story file that does not follow the story format (<see cref="StoryParser"/>). The message is one
/// line, "file:line: what was found, what was expected", like a compiler's.
/// </summary>
public sealed class StoryFormatException : FormatException
{
    public StoryFormatException(string file, int? line, string problem)
        : base(line is { } n ? $"{file}:{n}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The story's name as given to the parser (a path for <see cref="StoryParser.Load"/>).</summary>
    public string File { get; }

    /// <summary>1-based line number, or null for a problem of the whole file (no panels at all).</summary>
    public int? Line { get; }

    /// <summary>The message without the file and line prefix.</summary>
    public string Problem { get; }
}
