using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// Token ids of one text with, for every position, the character span of the text it came from
/// (null for BOS, EOS and pads), so a caller can find the token of a word such as the class word.
/// </summary>
public sealed class EncodedText
{
    private readonly long[] _ids;
    private readonly TextSpan?[] _spans;

    internal EncodedText(long[] ids, TextSpan?[] spans, bool truncated)
    {
        _ids = ids;
        _spans = spans;
        Truncated = truncated;
        Ids = Array.AsReadOnly(ids);
        Spans = Array.AsReadOnly(spans);
        RealLength = Array.IndexOf(ids, WordTokenizer.PadId) is var pad and >= 0 ? pad : ids.Length;
    }

    public IReadOnlyList<long> Ids { get; }

    /// <summary>Per position, the characters of the encoded text it stands for; null for special tokens.</summary>
    public IReadOnlyList<TextSpan?> Spans { get; }

    public int Length => _ids.Length;

    /// <summary>Positions before the padding: BOS, the words, EOS.</summary>
    public int RealLength { get; }

    /// <summary>True when words were dropped to fit a maximum length.</summary>
    public bool Truncated { get; }

    /// <summary>Position of the EOS token (the one the text encoder pools).</summary>
    public int EosIndex => RealLength - 1;

    /// <summary>
    /// The last position whose characters overlap <paramref name="span"/> (the last token, as
    /// PhotoMaker takes for a class word of several tokens, photomaker.md §1.3), or −1 when none
    /// does (e.g. the word was truncated away).
    /// </summary>
    public int TokenIndexOf(TextSpan span)
    {
        for (int i = RealLength - 1; i >= 0; i--)
            if (_spans[i] is { } s && s.Overlaps(span)) return i;
        return -1;
    }

    /// <summary>
    /// Exactly <paramref name="maxLength"/> positions: pads after EOS, or, when too long, BOS, the
    /// first maxLength−2 words and EOS last (PhotoMaker's truncation of the expanded ids can drop EOS, photomaker.md §1.3 step 3; here every row keeps it).
    /// </summary>
    public EncodedText Fit(int maxLength)
    {
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "expected at least 2 (BOS and EOS)");
        var ids = new long[maxLength];
        var spans = new TextSpan?[maxLength];
        bool truncate = RealLength > maxLength;
        int keep = truncate ? maxLength - 1 : RealLength;
        Array.Copy(_ids, ids, keep);
        Array.Copy(_spans, spans, keep);
        if (truncate) ids[^1] = WordTokenizer.EosId; // pads are 0 already
        return new EncodedText(ids, spans, Truncated || truncate);
    }

    /// <summary>The real tokens with the word at <paramref name="index"/> repeated <paramref name="count"/> times in place (no padding).</summary>
    public EncodedText RepeatToken(int index, int count)
    {
        if (index <= 0 || index >= EosIndex) throw new ArgumentOutOfRangeException(nameof(index), index, $"expected a word position in [1, {EosIndex})");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "expected at least one copy");
        int n = RealLength + count - 1;
        var ids = new long[n];
        var spans = new TextSpan?[n];
        for (int i = 0, j = 0; i < RealLength; i++)
            for (int c = 0; c < (i == index ? count : 1); c++, j++)
                (ids[j], spans[j]) = (_ids[i], _spans[i]);
        return new EncodedText(ids, spans, Truncated);
    }

    /// <summary>Ids (1, Length) int64.</summary>
    public Tensor ToTensor(Device? device = null) => tensor(_ids, [1, _ids.Length], ScalarType.Int64, device);

    internal void CopyIds(Span<long> destination) => _ids.CopyTo(destination);
}
