using DiffusionLab.Text;
using TorchSharp;

namespace DiffusionLab.Tests.Text;

/// <summary>photomaker.md §1.3: the trigger follows the class word, is removed, and the class token is repeated N times.</summary>
public class TriggerPromptTests
{
    private const string Prompt = "a photo of a woman img wearing a party hat , smiling";

    [Fact]
    public void TheClassWordIsTheWordBeforeTheTriggerAndTheTriggerIsRemoved()
    {
        var p = TriggerPrompt.Parse(Prompt);
        Assert.Equal("woman", p.ClassWord.Word);
        Assert.Equal("a photo of a woman wearing a party hat , smiling", p.TextOnly);
        Assert.Equal("woman", p.TextOnly.Substring(p.ClassWord.Span.Start, p.ClassWord.Span.Length));
        Assert.Equal("img", p.Trigger);
        Assert.Equal("man", TriggerPrompt.Parse("a man IMG").ClassWord.Word);
        Assert.Equal("a boy", TriggerPrompt.Parse("a boy sks", trigger: "sks").TextOnly);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public void TheClassTokenIsRepeatedNTimesAndTheMaskMarksExactlyTheCopies(int n)
    {
        var tok = TextTestData.Tokenizer();
        var p = TriggerPrompt.Parse(Prompt);
        var input = p.Encode(tok, n, 24);
        var textOnly = p.EncodeTextOnly(tok, 24).Ids;
        long woman = tok.IdOf("woman");
        Assert.Equal((5, n), (input.ClassIndex, input.Copies));
        Assert.Equal(24, input.Ids.Count);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i >= 5 && i < 5 + n), input.ClassMask);
        Assert.All(Enumerable.Range(5, n), i => Assert.Equal(woman, input.Ids[i]));
        // Before the class word and after its copies the ids are the text-only ids, shifted by N-1.
        Assert.Equal(textOnly.Take(6), input.Ids.Take(6));
        Assert.Equal(textOnly.Skip(6).Take(24 - 6 - (n - 1)), input.Ids.Skip(5 + n).Take(24 - 6 - (n - 1)));
        Assert.Equal(WordTokenizer.EosId, input.Ids[input.Encoded.EosIndex]);
        Assert.Equal(13 + n - 1, input.Encoded.RealLength); // 11 words + BOS + EOS, N-1 extra copies
    }

    [Fact]
    public void OneImageGivesTheTextOnlyIds()
    {
        var tok = TextTestData.Tokenizer();
        var p = TriggerPrompt.Parse(Prompt);
        Assert.Equal(p.EncodeTextOnly(tok, 32).Ids, p.Encode(tok, 1, 32).Ids);
    }

    [Fact]
    public void TwoTokensPerImageDoubleTheCopies()
    {
        var input = TriggerPrompt.Parse(Prompt).Encode(TextTestData.Tokenizer(), numImages: 3, maxLength: 32, tokensPerImage: 2);
        Assert.Equal(6, input.Copies);
        Assert.Equal(6, input.ClassMask.Count(m => m));
    }

    [Fact]
    public void CopiesShareTheClassWordWeight()
    {
        var input = TriggerPrompt.Parse("a photo of a (woman:1.3) img , (smiling:0.5)").Encode(TextTestData.Tokenizer(), 3, 16);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1.3f, 1.3f, 1.3f, 1f, 0.5f, 1f, 1f, 1f, 1f, 1f, 1f], input.Weights);
    }

    [Fact]
    public void ABatchCanHoldADifferentNumberOfImagesPerRow()
    {
        var tok = TextTestData.Tokenizer();
        using var batch = ClassTokenBatch.Encode(tok, [(Prompt, 1), ("a man img in the city", 3), ("a photo of a girl img with red hair", 4)], 20);
        Assert.Equal(new long[] { 3, 20 }, batch.Ids.shape);
        Assert.Equal(new long[] { 3, 20 }, batch.ClassMask.shape);
        Assert.Equal(torch.ScalarType.Bool, batch.ClassMask.dtype);
        Assert.Equal([1L, 3L, 4L], batch.ClassMask.sum(1).data<long>().ToArray());
        Assert.Equal([1, 3, 4], batch.Copies);
        var rows = new[] { (Index: 5, Word: "woman", N: 1), (Index: 2, Word: "man", N: 3), (Index: 5, Word: "girl", N: 4) };
        for (int r = 0; r < 3; r++)
        {
            var mask = batch.ClassMask[r].data<bool>().ToArray();
            var ids = batch.Ids[r].data<long>().ToArray();
            Assert.Equal(Enumerable.Range(0, 20).Select(i => i >= rows[r].Index && i < rows[r].Index + rows[r].N), mask);
            Assert.All(Enumerable.Range(0, 20).Where(i => mask[i]), i => Assert.Equal(tok.IdOf(rows[r].Word), ids[i]));
        }
    }

    [Fact]
    public void APromptWithoutTheTriggerIsAnErrorWhereOneIsRequired()
    {
        var e = Assert.Throws<ArgumentException>(() => TriggerPrompt.Parse("a photo of a woman"));
        Assert.Contains("\"a photo of a woman\"", e.Message);
        Assert.Contains("no trigger word 'img'", e.Message);
        Assert.Null(TriggerPrompt.ParseIfPresent("a photo of a woman"));
    }

    [Theory]
    [InlineData("a man img and a woman img", "more than one trigger word 'img'")]
    [InlineData("img man on the beach", "the trigger word 'img' is first")]
    [InlineData("a photo , img", "follows ','")]
    public void TriggerMisuseIsAnErrorNamingThePrompt(string prompt, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TriggerPrompt.Parse(prompt));
        Assert.Contains($"\"{prompt}\"", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CopiesThatDoNotFitBeforeEosAreAnError()
    {
        var p = TriggerPrompt.Parse(Prompt);
        var tok = TextTestData.Tokenizer();
        Assert.Equal(WordTokenizer.EosId, p.Encode(tok, 3, 9).Ids[8]);   // copies at 5..7, EOS at 8: fits (truncated)
        var e = Assert.Throws<ArgumentException>(() => p.Encode(tok, 4, 9));
        Assert.Contains("copies of the class word 'woman'", e.Message);
    }
}
