using DiffusionLab.Text;
using TorchSharp;

namespace DiffusionLab.Tests.Text;

public class WordTokenizerTests
{
    [Fact]
    public void SpecialTokensHaveFixedIdsAndWordsFollowSorted()
    {
        var tok = new WordTokenizer(["woman", "hat", "a", "Beach", "hat"]);
        Assert.Equal(["<pad>", "<bos>", "<eos>", "<unk>"], tok.Vocabulary.Take(4));
        Assert.Equal((0L, 1L, 2L, 3L), (WordTokenizer.PadId, WordTokenizer.BosId, WordTokenizer.EosId, WordTokenizer.UnkId));
        var words = tok.Vocabulary.Skip(4).ToList();
        Assert.Equal(words.Order(StringComparer.Ordinal), words);
        Assert.Equal(["!", ",", ".", ":", ";", "?", "a", "beach", "hat", "woman"], words);
        Assert.Equal(4 + 10, tok.VocabSize);
        Assert.Equal(tok.Vocabulary.ToList().IndexOf("hat"), tok.IdOf("HAT"));
    }

    [Fact]
    public void CaptionsRoundTripThroughEncodeAndDecode()
    {
        var tok = TextTestData.Tokenizer();
        foreach (var caption in TextTestData.Captions)
        {
            var encoded = tok.Encode(caption, 32);
            Assert.DoesNotContain(WordTokenizer.UnkId, encoded.Ids);
            Assert.Equal(caption, tok.Decode(encoded.Ids));
        }
    }

    [Fact]
    public void PreTokenisationLowercasesAndSplitsPunctuation()
    {
        var tok = TextTestData.Tokenizer();
        const string text = "A  Photo,of a\tWOMAN!";
        Assert.Equal(["A", "Photo", ",", "of", "a", "WOMAN", "!"], WordTokenizer.Split(text).Select(s => text.Substring(s.Start, s.Length)));
        Assert.Equal("a photo , of a woman !", tok.Decode(tok.Encode(text).Ids));
    }

    [Fact]
    public void UnknownWordsBecomeUnk()
    {
        var tok = TextTestData.Tokenizer();
        var ids = tok.Encode("a photo of a dragon <eos>").Ids;
        Assert.Equal([WordTokenizer.BosId, tok.IdOf("a"), tok.IdOf("photo"), tok.IdOf("of"), tok.IdOf("a"), WordTokenizer.UnkId, WordTokenizer.UnkId, WordTokenizer.EosId], ids);
        Assert.Equal("a photo of a <unk> <unk>", tok.Decode(ids));
    }

    [Fact]
    public void ShortTextsArePaddedAfterEos()
    {
        var tok = TextTestData.Tokenizer();
        var e = tok.Encode("a woman", 8);
        Assert.Equal([1L, tok.IdOf("a"), tok.IdOf("woman"), 2L, 0L, 0L, 0L, 0L], e.Ids);
        Assert.Equal((4, 3, false), (e.RealLength, e.EosIndex, e.Truncated));
        Assert.All(e.Spans.Skip(3), s => Assert.Null(s));
    }

    [Fact]
    public void TruncationKeepsBosAndEndsWithEos()
    {
        var tok = TextTestData.Tokenizer();
        var caption = TextTestData.Captions[0];
        var e = tok.Encode(caption, 6);
        Assert.True(e.Truncated);
        Assert.Equal([1L, tok.IdOf("a"), tok.IdOf("photo"), tok.IdOf("of"), tok.IdOf("a"), 2L], e.Ids);
        Assert.Equal("a photo of a", tok.Decode(e.Ids));
        Assert.Equal(5, e.EosIndex);
        Assert.False(tok.Encode(caption, 17).Truncated); // 15 words + BOS + EOS fit exactly
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.Encode(caption, 1));
    }

    [Fact]
    public void OffsetsMapACharacterSpanToItsToken()
    {
        var tok = TextTestData.Tokenizer();
        const string text = "a photo of a woman wearing a party hat , smiling";
        var e = tok.Encode(text, 32);
        int start = text.IndexOf("woman");
        int index = e.TokenIndexOf(new TextSpan(start, "woman".Length));
        Assert.Equal(5, index);
        Assert.Equal(tok.IdOf("woman"), e.Ids[index]);
        Assert.Equal(new TextSpan(start, 5), e.Spans[index]);
        Assert.Equal(9, e.TokenIndexOf(new TextSpan(text.IndexOf("party hat"), "party hat".Length))); // a span of two words: the last
        Assert.Equal(-1, tok.Encode(text, 4).TokenIndexOf(new TextSpan(start, 5)));                  // truncated away
    }

    [Fact]
    public void EncodeBatchStacksRows()
    {
        var tok = TextTestData.Tokenizer();
        using var ids = tok.EncodeBatch(TextTestData.Captions, 20);
        Assert.Equal(new long[] { 4, 20 }, ids.shape);
        Assert.Equal(torch.ScalarType.Int64, ids.dtype);
        Assert.Equal(tok.Encode(TextTestData.Captions[2], 20).Ids, ids[2].data<long>().ToArray());
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("hat,")]
    [InlineData("<pad>")]
    [InlineData("")]
    public void BadVocabularyWordsAreRejected(string word)
    {
        var e = Assert.Throws<ArgumentException>(() => new WordTokenizer(["a", word]));
        Assert.Contains($"'{word}'", e.Message);
    }

    [Fact]
    public void TokenizersWithTheSameVocabularyAreEqual()
    {
        var a = new WordTokenizer(["hat", "a", "woman"]);
        var b = new WordTokenizer(["Woman", "hat", "a", "a"]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new WordTokenizer(["hat", "a", "man"]));
        Assert.Equal(a, WordTokenizer.FromCorpus(["a woman , hat"]));
    }

    [Fact]
    public void JsonFileRoundTrips()
    {
        var tok = TextTestData.Tokenizer();
        var path = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.json");
        try
        {
            tok.Save(path);
            var loaded = WordTokenizer.Load(path);
            Assert.Equal(tok, loaded);
            Assert.Equal(tok.Encode(TextTestData.Captions[1], 24).Ids, loaded.Encode(TextTestData.Captions[1], 24).Ids);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("""{"Format":"DiffusionLab.WordTokenizer","Version":1}""", "key 'Vocabulary'")]
    [InlineData("""{"Format":"DiffusionLab.WordTokenizer","Version":2,"Vocabulary":[]}""", "key 'Version'")]
    [InlineData("""{"Format":"DiffusionLab.WordTokenizer","Version":1,"Vocabulary":["<bos>","<pad>","<eos>","<unk>"]}""", "id 0 must be '<pad>'")]
    [InlineData("""{"Format":"DiffusionLab.WordTokenizer","Version":1,"Vocabulary":["<pad>","<bos>","<eos>","<unk>","!",",",".",":",";","?","b","a"]}""", "sorted")]
    [InlineData("""{"Format":"DiffusionLab.WordTokenizer","Version":1,"Vocabulary":["<pad>","<bos>","<eos>","<unk>","a"]}""", "missing punctuation")]
    [InlineData("""{"Format":"DiffusionLab.WordTokenizer","Version":1,"Vocabulary":[],"Extra":0}""", "unknown key 'Extra'")]
    public void MalformedFilesAreOneLineErrorsNamingTheFile(string json, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-tokenizer-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, json);
            var e = Assert.Throws<InvalidDataException>(() => WordTokenizer.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally { File.Delete(path); }
    }
}
