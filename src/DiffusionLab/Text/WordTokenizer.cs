using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// Word-level tokenizer over a fixed vocabulary, for captions of lowercase words and commas
/// ("a photo of a woman wearing a party hat , smiling , on the beach"). Ids: &lt;pad&gt;=0,
/// &lt;bos&gt;=1, &lt;eos&gt;=2, &lt;unk&gt;=3, then the words (always including the punctuation marks
/// <c>, . ; : ! ?</c>) in ordinal order, so equal word sets give equal ids whatever order they came in.
/// Pre-tokenisation: split on whitespace, each punctuation mark is its own token, lowercase.
/// </summary>
public sealed class WordTokenizer : IEquatable<WordTokenizer>
{
    public const long PadId = 0, BosId = 1, EosId = 2, UnkId = 3;
    public const string Pad = "<pad>", Bos = "<bos>", Eos = "<eos>", Unk = "<unk>";
    /// <summary>Characters that are tokens on their own, whatever surrounds them.</summary>
    public const string Punctuation = ",.;:!?";
    private const string Format = "DiffusionLab.WordTokenizer";
    private const int Version = 1;
    private static readonly string[] Specials = [Pad, Bos, Eos, Unk];

    private readonly string[] _vocabulary;
    private readonly Dictionary<string, long> _wordIds;

    /// <summary>
    /// A tokenizer over <paramref name="words"/> (lowercased, duplicates ignored). Each word must be
    /// one pre-token: no whitespace, no punctuation mark inside a longer word, not a special token.
    /// </summary>
    public WordTokenizer(IEnumerable<string> words)
    {
        var set = new HashSet<string>(Punctuation.Select(c => c.ToString()), StringComparer.Ordinal);
        foreach (var word in words)
        {
            var w = word?.ToLowerInvariant() ?? throw new ArgumentException("vocabulary: null word");
            if (WordProblem(w) is { } problem) throw new ArgumentException($"vocabulary word '{word}': {problem}");
            set.Add(w);
        }
        _vocabulary = [.. Specials, .. set.Order(StringComparer.Ordinal)];
        Vocabulary = Array.AsReadOnly(_vocabulary);
        _wordIds = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = Specials.Length; i < _vocabulary.Length; i++) _wordIds[_vocabulary[i]] = i;
    }

    /// <summary>The vocabulary of every pre-token in <paramref name="captions"/>.</summary>
    public static WordTokenizer FromCorpus(IEnumerable<string> captions) =>
        new(captions.SelectMany(c => Split(c).Select(s => c.Substring(s.Start, s.Length))));

    public int VocabSize => _vocabulary.Length;

    /// <summary>Tokens in id order, the four special tokens first.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>The id of a word (lowercased), <see cref="UnkId"/> if it is not in the vocabulary.</summary>
    public long IdOf(string word) => _wordIds.GetValueOrDefault(word.ToLowerInvariant(), UnkId);

    public bool Contains(string word) => _wordIds.ContainsKey(word.ToLowerInvariant());

    /// <summary>The distinct words of <paramref name="text"/> this tokenizer would read as &lt;unk&gt;, lowercased, in order.</summary>
    public IReadOnlyList<string> UnknownWords(string text) =>
        Split(text).Select(span => text.Substring(span.Start, span.Length).ToLowerInvariant()).Where(w => !Contains(w)).Distinct().ToList();

    /// <summary>Throws naming the unknown words of a prompt (they would silently become &lt;unk&gt;).</summary>
    public void CheckKnown(string text, string what)
    {
        var unknown = UnknownWords(text);
        if (unknown.Count > 0)
            throw new ArgumentException($"{what} '{text}': unknown word(s) {string.Join(", ", unknown.Select(w => $"'{w}'"))}; the model knows the {VocabSize - 4} words of its captions");
    }

    public string TokenOf(long id) =>
        id >= 0 && id < _vocabulary.Length ? _vocabulary[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"expected an id in [0, {_vocabulary.Length})");

    /// <summary>The pre-tokens of <paramref name="text"/> as character spans (whitespace dropped, punctuation alone).</summary>
    public static IReadOnlyList<TextSpan> Split(string text)
    {
        var spans = new List<TextSpan>();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            int start = i++;
            if (!IsPunctuation(text[start]))
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && !IsPunctuation(text[i])) i++;
            spans.Add(new TextSpan(start, i - start));
        }
        return spans;
    }

    public static bool IsPunctuation(char c) => Punctuation.Contains(c);

    /// <summary>BOS, one token per pre-token (unknown words → &lt;unk&gt;), EOS; no padding, no truncation.</summary>
    public EncodedText Encode(string text)
    {
        var spans = Split(text);
        var ids = new long[spans.Count + 2];
        var tokenSpans = new TextSpan?[spans.Count + 2];
        ids[0] = BosId;
        for (int i = 0; i < spans.Count; i++)
        {
            ids[i + 1] = IdOf(text.Substring(spans[i].Start, spans[i].Length));
            tokenSpans[i + 1] = spans[i];
        }
        ids[^1] = EosId;
        return new EncodedText(ids, tokenSpans, truncated: false);
    }

    /// <summary>
    /// Exactly <paramref name="maxLength"/> ids: BOS … EOS then pads. A text too long keeps BOS and
    /// its first maxLength−2 words and ends with EOS, so every row has the EOS that pooling reads.
    /// </summary>
    public EncodedText Encode(string text, int maxLength) => Encode(text).Fit(maxLength);

    /// <summary>Ids (B, maxLength) int64 of <paramref name="texts"/>, on <paramref name="device"/>.</summary>
    public Tensor EncodeBatch(IReadOnlyList<string> texts, int maxLength, Device? device = null)
    {
        var flat = new long[texts.Count * maxLength];
        for (int b = 0; b < texts.Count; b++)
            Encode(texts[b], maxLength).CopyIds(flat.AsSpan(b * maxLength, maxLength));
        return tensor(flat, [texts.Count, maxLength], ScalarType.Int64, device);
    }

    /// <summary>
    /// The words between BOS and the first EOS joined by single spaces (pads skipped, unknown ids as
    /// &lt;unk&gt;). That is the caption format, so in-vocabulary captions with single spaces round-trip.
    /// </summary>
    public string Decode(IEnumerable<long> ids)
    {
        var words = new List<string>();
        foreach (var id in ids)
        {
            if (id == EosId) break;
            if (id is PadId or BosId) continue;
            words.Add(TokenOf(id));
        }
        return string.Join(' ', words);
    }

    /// <summary>The tokenizer as JSON: a format tag, a version and the vocabulary in id order.</summary>
    public string ToJson() => new JsonObject
    {
        ["Format"] = Format,
        ["Version"] = Version,
        ["Vocabulary"] = new JsonArray([.. _vocabulary.Select(v => (JsonNode)JsonValue.Create(v))]),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Reads <see cref="ToJson"/> output; anything else is an InvalidDataException naming <paramref name="source"/>.</summary>
    public static WordTokenizer FromJson(string json, string source)
    {
        InvalidDataException Fail(string what) => new InvalidDataException($"tokenizer file '{source}': {what}");
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw Fail($"not valid JSON ({e.Message.Split('\n')[0].Trim()})"); }
        if (root is not JsonObject obj) throw Fail("expected a JSON object");
        foreach (var (key, _) in obj)
            if (key is not ("Format" or "Version" or "Vocabulary")) throw Fail($"unknown key '{key}' (expected Format, Version, Vocabulary)");
        if (obj["Format"] is not JsonValue f || !f.TryGetValue(out string? format) || format != Format) throw Fail($"key 'Format': expected \"{Format}\"");
        if (obj["Version"] is not JsonValue v || !v.TryGetValue(out int version) || version != Version) throw Fail($"key 'Version': expected {Version}");
        if (obj["Vocabulary"] is not JsonArray array) throw Fail("key 'Vocabulary': expected an array of strings");
        var vocabulary = new List<string>();
        foreach (var item in array)
            vocabulary.Add(item is JsonValue s && s.TryGetValue(out string? word) ? word : throw Fail($"key 'Vocabulary': item {vocabulary.Count} is not a string"));
        for (int i = 0; i < Specials.Length; i++)
            if (i >= vocabulary.Count || vocabulary[i] != Specials[i]) throw Fail($"key 'Vocabulary': id {i} must be '{Specials[i]}'");
        for (int i = Specials.Length; i < vocabulary.Count; i++)
        {
            var problem = vocabulary[i] != vocabulary[i].ToLowerInvariant() ? "not lowercase" : WordProblem(vocabulary[i]);
            if (problem is not null) throw Fail($"key 'Vocabulary': id {i} '{vocabulary[i]}': {problem}");
            if (i > Specials.Length && string.CompareOrdinal(vocabulary[i - 1], vocabulary[i]) >= 0)
                throw Fail($"key 'Vocabulary': words must be sorted and distinct, id {i} '{vocabulary[i]}' follows '{vocabulary[i - 1]}'");
        }
        var tokenizer = new WordTokenizer(vocabulary.Skip(Specials.Length));
        // The constructor adds missing punctuation, which would shift ids against the file.
        if (tokenizer.VocabSize != vocabulary.Count) throw Fail($"key 'Vocabulary': missing punctuation tokens (expected all of {Punctuation})");
        return tokenizer;
    }

    /// <summary>Writes <see cref="ToJson"/> atomically (a run folder keeps the tokenizer its model was trained with).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static WordTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer file '{path}': not found", path);
        return FromJson(File.ReadAllText(path), path);
    }

    public bool Equals(WordTokenizer? other) => other is not null && _vocabulary.AsSpan().SequenceEqual(other._vocabulary);

    public override bool Equals(object? obj) => Equals(obj as WordTokenizer);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in _vocabulary) hash.Add(v, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    public override string ToString() => $"WordTokenizer({VocabSize} tokens)";

    private static string? WordProblem(string word)
    {
        if (word.Length == 0) return "empty";
        if (Specials.Contains(word)) return "is a special token";
        var spans = Split(word);
        if (spans.Count != 1 || spans[0].Length != word.Length) return "expected one word without whitespace or punctuation marks";
        return null;
    }
}
