using System.Globalization;
using System.Text;

namespace DiffusionLab.Text;

/// <summary>
/// The AUTOMATIC1111 attention syntax, one level deep: <c>(words:1.2)</c> sets the weight of the
/// words, <c>(words)</c> multiplies it by 1.1, <c>[words]</c> divides it by 1.1; <c>\(</c> <c>\)</c>
/// <c>\[</c> <c>\]</c> <c>\:</c> <c>\\</c> are literal characters. Nesting and prompt editing
/// (<c>[a:b:0.5]</c>) are not supported and are errors, as are unclosed brackets and bad numbers.
/// </summary>
public static class PromptParser
{
    /// <summary>A1111's factor for one pair of round (×) or square (÷) brackets.</summary>
    public const double BracketFactor = 1.1;
    private const string Escapable = "()[]:\\";

    public static ParsedPrompt Parse(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var segments = new List<(string Text, double Weight)>();
        var current = new StringBuilder();
        char? open = null;   // '(' or '[' while inside a group
        int openAt = -1;
        int colonAt = -1;    // the last unescaped ':' of the current round group, as an index into `current`
        int colonSource = -1;
        for (int i = 0; i < prompt.Length; i++)
        {
            char c = prompt[i];
            if (c == '\\' && i + 1 < prompt.Length && Escapable.Contains(prompt[i + 1])) { current.Append(prompt[++i]); continue; }
            switch (c)
            {
                case '(' or '[':
                    if (open is not null) throw Error(prompt, $"nested '{c}' at position {i} inside the '{open}' at position {openAt} (nesting is not supported)");
                    Flush(1.0);
                    (open, openAt, colonAt) = (c, i, -1);
                    break;
                case ')' or ']':
                    char expected = c == ')' ? '(' : '[';
                    if (open != expected) throw Error(prompt, $"unmatched '{c}' at position {i}");
                    if (c == ']') Flush(1.0 / BracketFactor);
                    else if (colonAt < 0) Flush(BracketFactor);
                    else
                    {
                        var number = current.ToString(colonAt + 1, current.Length - colonAt - 1).Trim();
                        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || !double.IsFinite(weight) || weight < 0)
                            throw Error(prompt, $"bad weight '{number}' after the ':' at position {colonSource} (expected a non-negative number such as 1.2)");
                        current.Length = colonAt;
                        Flush(weight);
                    }
                    open = null;
                    break;
                case ':' when open == '(':
                    (colonAt, colonSource) = (current.Length, i);
                    current.Append(c);
                    break;
                case ':' when open == '[':
                    throw Error(prompt, $"':' at position {i} inside '[': prompt editing [from:to:when] is not supported");
                default:
                    current.Append(c);
                    break;
            }
        }
        if (open is not null) throw Error(prompt, $"unclosed '{open}' at position {openAt}");
        Flush(1.0);
        return Build(prompt, segments);

        void Flush(double weight)
        {
            if (current.Length > 0) segments.Add((current.ToString(), weight));
            current.Clear();
        }
    }

    /// <summary>Joins the segments into one text (a space where two segments would glue words together) and weighs each word by its segment.</summary>
    private static ParsedPrompt Build(string source, List<(string Text, double Weight)> segments)
    {
        var text = new StringBuilder();
        var starts = new List<(int Start, double Weight)>();
        foreach (var (segment, weight) in segments)
        {
            if (text.Length > 0 && IsWordChar(text[^1]) && IsWordChar(segment[0])) text.Append(' ');
            starts.Add((text.Length, weight));
            text.Append(segment);
        }
        var plain = text.ToString();
        var words = new List<PromptWord>();
        int s = 0;
        foreach (var span in WordTokenizer.Split(plain))
        {
            while (s + 1 < starts.Count && starts[s + 1].Start <= span.Start) s++;
            words.Add(new PromptWord(plain.Substring(span.Start, span.Length).ToLowerInvariant(), span, starts[s].Weight));
        }
        return new ParsedPrompt(source, plain, words);
    }

    private static bool IsWordChar(char c) => !char.IsWhiteSpace(c) && !WordTokenizer.IsPunctuation(c);

    private static ArgumentException Error(string prompt, string what) => new($"prompt {Quote(prompt)}: {what}");

    /// <summary>The prompt in quotes on one line, so every message stays one line.</summary>
    internal static string Quote(string prompt) => "\"" + prompt.Replace("\r", "\\r").Replace("\n", "\\n") + "\"";
}
