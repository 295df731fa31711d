namespace DiffusionLab.Text;

/// <summary>
/// A prompt with its weighting syntax removed (<see cref="PromptParser"/>): the plain text the
/// tokenizer sees and a weight for each of its words.
/// </summary>
public sealed class ParsedPrompt
{
    internal ParsedPrompt(string source, string text, IReadOnlyList<PromptWord> words)
    {
        Source = source;
        Text = text;
        Words = words;
    }

    /// <summary>The prompt as the user wrote it.</summary>
    public string Source { get; }

    /// <summary>The text to tokenize: brackets, weights and escapes removed.</summary>
    public string Text { get; }

    /// <summary>The pre-tokens of <see cref="Text"/> in order (what <see cref="WordTokenizer.Split"/> gives), each with its weight.</summary>
    public IReadOnlyList<PromptWord> Words { get; }

    public bool HasWeights => Words.Any(w => w.Weight != 1.0);

    /// <summary>
    /// Per position of <paramref name="encoded"/> (an encoding of <see cref="Text"/>), the weight of
    /// the word it came from; 1 for BOS, EOS and pads. Repeated tokens share their word's weight.
    /// </summary>
    public float[] TokenWeights(EncodedText encoded)
    {
        var byStart = Words.ToDictionary(w => w.Span.Start, w => w.Weight);
        var weights = new float[encoded.Length];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = encoded.Spans[i] is { } s && byStart.TryGetValue(s.Start, out var w) ? (float)w : 1f;
        return weights;
    }

    /// <summary>This prompt without word <paramref name="index"/> and one whitespace next to it; the other words keep their weights.</summary>
    public ParsedPrompt WithoutWord(int index)
    {
        var span = Words[index].Span;
        int start = span.Start, end = span.End;
        if (start > 0 && char.IsWhiteSpace(Text[start - 1])) start--;
        else if (end < Text.Length && char.IsWhiteSpace(Text[end])) end++;
        var text = Text[..start] + Text[end..];
        var spans = WordTokenizer.Split(text);
        var kept = Words.Where((_, i) => i != index).ToList();
        // Removing a whole word with at most one space never joins or splits the others.
        if (spans.Count != kept.Count) throw new InvalidOperationException($"removing word {index} of \"{Text}\" changed the other words");
        var words = kept.Select((w, i) => w with { Span = spans[i] }).ToList();
        return new ParsedPrompt(Source, text, words);
    }
}
