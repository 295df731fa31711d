using System.Text.RegularExpressions;
using DiffusionLab.Data.World;

namespace DiffusionLab.Tests.Data.World;

public sealed class CaptionTests : IDisposable
{
    private readonly CharacterWorld _world = new();

    public void Dispose() => _world.Dispose();

    private IEnumerable<(int Identity, int Index)> RandomKeys(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++) yield return (random.Next(_world.IdentityCount), random.Next(1000));
    }

    [Fact]
    public void Captions_name_every_factor_and_only_the_class_word_of_the_identity()
    {
        var headwearNames = Enum.GetValues<Headwear>().Where(h => h != Headwear.None).Select(WorldWords.Of).ToArray();
        foreach (var (identity, index) in RandomKeys(1000, 1))
        {
            var factors = _world.Factors(identity, index);
            var traits = _world.Traits(identity);
            string caption = _world.Caption(identity, index).Text;
            Assert.Contains(WorldWords.Of(factors.Expression), caption);
            Assert.Contains($"{WorldWords.Of(factors.Clothing)} shirt", caption);
            Assert.Contains(WorldWords.Of(factors.Background), caption);
            if (factors.Headwear == Headwear.None)
                Assert.DoesNotContain(headwearNames, caption.Contains);
            else
                Assert.Single(headwearNames, caption.Contains);
            var words = WorldWords.Tokenize(caption);
            Assert.Single(words, w => w is "man" or "woman" or "boy" or "girl");
            Assert.Contains(WorldWords.Of(traits.ClassWord), words);
            // Traits other than the class word are never named.
            Assert.DoesNotContain(words, w => w is "blonde" or "curly" or "bald" or "glasses" or "beard" or "freckles" or "ponytail");
        }
    }

    [Fact]
    public void Class_word_span_points_at_the_class_word()
    {
        foreach (var (identity, index) in RandomKeys(1000, 2))
        {
            var caption = _world.Caption(identity, index);
            string text = caption.Text;
            var span = caption.ClassWord;
            Assert.Equal(WorldWords.Of(_world.Traits(identity).ClassWord), span.Of(text));
            // A whole word: "man" inside "woman" would be a wrong span.
            Assert.True(span.Start == 0 || text[span.Start - 1] == ' ', text);
            Assert.True(span.End == text.Length || text[span.End] is ' ' or ',', text);
        }
        var rendered = _world.Render(5, 3);
        Assert.Equal(WorldWords.Of(rendered.ClassWord), rendered.ClassWordSpan.Of(rendered.Caption));
    }

    [Fact]
    public void Captions_are_lowercase_words_and_separate_commas()
    {
        var seen = new HashSet<string>();
        foreach (var (identity, index) in RandomKeys(1000, 3))
        {
            string text = _world.Caption(identity, index).Text;
            Assert.Matches(new Regex("^[a-z]+(,? [a-z]+)*$"), text);
            seen.Add(Regex.Replace(text, "(man|woman|boy|girl)", "C").Split(' ')[0]);
            Assert.Equal(text, _world.Caption(identity, index).Text);
        }
        Assert.True(seen.Count >= 4, "captions should start in several different ways");
    }

    [Fact]
    public void Vocabulary_covers_every_word_of_1000_random_captions()
    {
        var vocabulary = WorldWords.Vocabulary;
        Assert.Equal(vocabulary.Order(StringComparer.Ordinal), vocabulary);
        Assert.Equal(vocabulary.Count, vocabulary.Distinct().Count());
        Assert.Contains(",", vocabulary);
        Assert.Contains("an", vocabulary);
        Assert.InRange(vocabulary.Count, 40, 120);
        var set = vocabulary.ToHashSet();
        var used = new HashSet<string>();
        foreach (var (identity, index) in RandomKeys(1000, 4))
            foreach (var word in WorldWords.Tokenize(_world.Caption(identity, index).Text))
            {
                Assert.True(set.Contains(word), $"'{word}' is not in the vocabulary");
                used.Add(word);
            }
        // The vocabulary is not padded with words no caption uses.
        Assert.True(used.Count >= vocabulary.Count - 4, $"1000 captions used {used.Count} of {vocabulary.Count} words: missing {string.Join(" ", vocabulary.Except(used))}");
        Assert.DoesNotContain("none", vocabulary);
    }

    [Fact]
    public void Factor_names_are_the_words_captions_use()
    {
        Assert.Equal("smiling", WorldWords.Of(Expression.Smiling));
        Assert.Equal("party hat", WorldWords.Of(Headwear.PartyHat));
        Assert.Equal("night sky", WorldWords.Of(BackgroundScene.NightSky));
        Assert.Equal("woman", WorldWords.Of(ClassWord.Woman));
        var vocabulary = WorldWords.Vocabulary.ToHashSet();
        var names = Enum.GetValues<Expression>().Select(WorldWords.Of)
            .Concat(Enum.GetValues<Headwear>().Where(h => h != Headwear.None).Select(WorldWords.Of))
            .Concat(Enum.GetValues<ClothingColor>().Select(WorldWords.Of))
            .Concat(Enum.GetValues<BackgroundScene>().Select(WorldWords.Of))
            .Concat(Enum.GetValues<ClassWord>().Select(WorldWords.Of));
        Assert.All(names.SelectMany(n => n.Split(' ')), w => Assert.Contains(w, vocabulary));
    }

    [Fact]
    public void Explicit_factors_give_prompt_like_captions()
    {
        int woman = Enumerable.Range(0, 100).First(id => _world.Traits(id).ClassWord == ClassWord.Woman);
        var factors = new ImageFactors { Expression = Expression.Smiling, Headwear = Headwear.PartyHat, Clothing = ClothingColor.Red, Background = BackgroundScene.Beach };
        Assert.Equal("a photo of a woman in a red shirt wearing a party hat, smiling, on the beach", _world.Caption(woman, factors).Text);
        Assert.Equal("an angry woman in an orange shirt in the forest",
            _world.Caption(woman, new ImageFactors { Expression = Expression.Angry, Clothing = ClothingColor.Orange, Background = BackgroundScene.Forest, CaptionVariant = 1 }).Text);
    }
}
