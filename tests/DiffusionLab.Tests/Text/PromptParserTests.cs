using DiffusionLab.Text;

namespace DiffusionLab.Tests.Text;

public class PromptParserTests
{
    private static IEnumerable<(string, double)> WordWeights(ParsedPrompt p) => p.Words.Select(w => (w.Word, Math.Round(w.Weight, 6)));

    [Fact]
    public void PlainPromptsHaveWeightOne()
    {
        var p = PromptParser.Parse("A photo of a woman , smiling");
        Assert.Equal("A photo of a woman , smiling", p.Text);
        Assert.Equal(["a", "photo", "of", "a", "woman", ",", "smiling"], p.Words.Select(w => w.Word));
        Assert.All(p.Words, w => Assert.Equal(1.0, w.Weight));
        Assert.False(p.HasWeights);
    }

    [Fact]
    public void ExplicitWeightsApplyToEveryWordInTheGroup()
    {
        var p = PromptParser.Parse("a woman wearing (a party hat:1.25) , (smiling: 0.8 )");
        Assert.Equal("a woman wearing a party hat , smiling", p.Text);
        Assert.Equal([("a", 1.0), ("woman", 1.0), ("wearing", 1.0), ("a", 1.25), ("party", 1.25), ("hat", 1.25), (",", 1.0), ("smiling", 0.8)], WordWeights(p));
        Assert.True(p.HasWeights);
    }

    [Fact]
    public void BracketsMultiplyOrDivideBy11()
    {
        var p = PromptParser.Parse("(red) hat [blue] cap");
        Assert.Equal("red hat blue cap", p.Text);
        Assert.Equal([("red", 1.1), ("hat", 1.0), ("blue", Math.Round(1 / 1.1, 6)), ("cap", 1.0)], WordWeights(p));
    }

    [Fact]
    public void EscapedBracketsAreLiteral()
    {
        var p = PromptParser.Parse(@"a \(big\) hat \[x\] a\:b \\");
        Assert.Equal(@"a (big) hat [x] a:b \", p.Text);
        Assert.All(p.Words, w => Assert.Equal(1.0, w.Weight));
    }

    [Fact]
    public void GroupsNextToAWordStaySeparateWords()
    {
        var p = PromptParser.Parse("(red:1.5)hat");
        Assert.Equal("red hat", p.Text);
        Assert.Equal([("red", 1.5), ("hat", 1.0)], WordWeights(p));
    }

    [Fact]
    public void TokenWeightsFollowTheWordsAndAreOneOnSpecialTokens()
    {
        var tok = TextTestData.Tokenizer();
        var p = PromptParser.Parse("a (woman:1.3) wearing [glasses]");
        var weights = p.TokenWeights(tok.Encode(p.Text, 8));
        Assert.Equal([1f, 1f, 1.3f, 1f, (float)(1 / 1.1), 1f, 1f, 1f], weights);
    }

    [Theory]
    [InlineData("a (red hat", "unclosed '(' at position 2")]
    [InlineData("a [red hat", "unclosed '[' at position 2")]
    [InlineData("a red) hat", "unmatched ')' at position 5")]
    [InlineData("(a red] hat", "unmatched ']' at position 6")]
    [InlineData("a (red:abc) hat", "bad weight 'abc' after the ':' at position 6")]
    [InlineData("a (red:) hat", "bad weight '' after the ':' at position 6")]
    [InlineData("a (red:-1) hat", "bad weight '-1'")]
    [InlineData("a ((red)) hat", "nested '(' at position 3 inside the '(' at position 2")]
    [InlineData("a [red:blue:0.5] hat", "':' at position 6 inside '['")]
    public void MalformedSyntaxNamesThePromptAndPosition(string prompt, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => PromptParser.Parse(prompt));
        Assert.Contains($"\"{prompt}\"", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
