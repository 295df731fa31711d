namespace DiffusionLab.Text;

/// <summary>
/// A PhotoMaker prompt (photomaker.md §1.3): the trigger word ("img") follows the class word
/// ("a woman img wearing a party hat"); exactly one trigger is allowed, it is removed before
/// encoding, and the class token is then repeated once per ID embedding so the stacked ID
/// embeddings can replace the copies. Weighting syntax (<see cref="PromptParser"/>) is allowed.
/// </summary>
public sealed class TriggerPrompt
{
    /// <summary>PhotoMaker's <c>trigger_word="img"</c> (photomaker.md §1.3 step 1).</summary>
    public const string DefaultTrigger = "img";

    private TriggerPrompt(string source, string trigger, ParsedPrompt prompt, PromptWord classWord)
    {
        Source = source;
        Trigger = trigger;
        Prompt = prompt;
        ClassWord = classWord;
    }

    public string Source { get; }

    public string Trigger { get; }

    /// <summary>The parsed prompt without the trigger word, class word once.</summary>
    public ParsedPrompt Prompt { get; }

    /// <summary>The word right before the trigger ("man", "woman"), with its span in <see cref="Prompt"/>.Text.</summary>
    public PromptWord ClassWord { get; }

    /// <summary>
    /// The "text-only" prompt of delayed subject conditioning (photomaker.md §1.3 step 6, §3.1):
    /// trigger removed, class word once, weighting syntax removed.
    /// </summary>
    public string TextOnly => Prompt.Text;

    /// <summary>Parses a prompt that must hold the trigger exactly once, right after the class word.</summary>
    public static TriggerPrompt Parse(string prompt, string trigger = DefaultTrigger) =>
        ParseIfPresent(prompt, trigger) ?? throw new ArgumentException(
            $"prompt {PromptParser.Quote(prompt)}: no trigger word '{trigger}'; put it right after the class word, e.g. \"a man {trigger}\"");

    /// <summary>As <see cref="Parse"/>, but null when the prompt has no trigger (a plain text prompt).</summary>
    public static TriggerPrompt? ParseIfPresent(string prompt, string trigger = DefaultTrigger)
    {
        var t = trigger.ToLowerInvariant();
        var split = WordTokenizer.Split(t);
        if (split.Count != 1 || split[0].Length != t.Length || WordTokenizer.IsPunctuation(t[0]))
            throw new ArgumentException($"trigger word '{trigger}': expected one word without whitespace or punctuation");
        var parsed = PromptParser.Parse(prompt);
        var found = Enumerable.Range(0, parsed.Words.Count).Where(i => parsed.Words[i].Word == t).ToList();
        if (found.Count == 0) return null;
        if (found.Count > 1)
            throw new ArgumentException($"prompt {PromptParser.Quote(prompt)}: more than one trigger word '{trigger}' (at words {string.Join(", ", found)}); PhotoMaker supports one subject per prompt");
        int at = found[0];
        if (at == 0)
            throw new ArgumentException($"prompt {PromptParser.Quote(prompt)}: the trigger word '{trigger}' is first; it must follow the class word, e.g. \"a man {trigger}\"");
        var before = parsed.Words[at - 1];
        if (WordTokenizer.IsPunctuation(before.Word[0]))
            throw new ArgumentException($"prompt {PromptParser.Quote(prompt)}: the trigger word '{trigger}' follows '{before.Word}'; it must follow the class word, e.g. \"a man {trigger}\"");
        var without = parsed.WithoutWord(at);
        return new TriggerPrompt(prompt, trigger, without, without.Words[at - 1]);
    }

    /// <summary>
    /// The encoder input with the class token repeated numImages·tokensPerImage times in place
    /// (v1: one token per image, v2: two; photomaker.md §1.3 step 3), fitted to maxLength, and the
    /// mask of exactly those copies, [ClassIndex, ClassIndex + copies). Too long for the copies to fit
    /// before the final EOS is an error: silently losing copies would pair images with the wrong tokens.
    /// </summary>
    public ClassTokenInput Encode(WordTokenizer tokenizer, int numImages, int maxLength, int tokensPerImage = 1)
    {
        if (numImages < 1) throw new ArgumentOutOfRangeException(nameof(numImages), numImages, "expected at least one reference image");
        if (tokensPerImage < 1) throw new ArgumentOutOfRangeException(nameof(tokensPerImage), tokensPerImage, "expected at least one token per image");
        int copies = numImages * tokensPerImage;
        var full = tokenizer.Encode(Prompt.Text);
        int index = full.TokenIndexOf(ClassWord.Span);
        if (index + copies > maxLength - 1)
            throw new ArgumentException($"prompt {PromptParser.Quote(Source)}: the {copies} copies of the class word '{ClassWord.Word}' would end at position {index + copies - 1}, past the last one before EOS ({maxLength - 2}) at maxLength {maxLength}; shorten the prompt");
        var encoded = full.RepeatToken(index, copies).Fit(maxLength);
        var mask = new bool[maxLength];
        Array.Fill(mask, true, index, copies);
        return new ClassTokenInput(encoded, mask, Prompt.TokenWeights(encoded), index, copies);
    }

    /// <summary>The text-only prompt encoded (class word once, no mask): the condition before start_merge_step (photomaker.md §3.1).</summary>
    public EncodedText EncodeTextOnly(WordTokenizer tokenizer, int maxLength) => tokenizer.Encode(Prompt.Text, maxLength);
}
