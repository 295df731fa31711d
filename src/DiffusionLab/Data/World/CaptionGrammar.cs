using System.Text;

namespace DiffusionLab.Data.World;

/// <summary>
/// Captions from a small grammar: five templates with different orderings, two wordings of each
/// background. Every named factor appears (expression, headwear unless None, shirt colour,
/// background); identity traits never do, except the class word, whose span is recorded as
/// PhotoMaker's caption marking does (photomaker.md §2.4 step 5). Examples:
/// "a photo of a woman in a red shirt wearing a party hat, smiling, on the beach",
/// "a smiling boy in a green shirt with a crown in the forest".
/// </summary>
public static class CaptionGrammar
{
    public const int TemplateCount = 5;
    public const int WordingsPerBackground = 2;

    /// <summary>Distinct phrasings; <see cref="ImageFactors.CaptionVariant"/> is taken modulo this.</summary>
    public const int VariantCount = TemplateCount * WordingsPerBackground;

    public static CharacterCaption Compose(ClassWord classWord, ImageFactors factors)
    {
        int variant = (int)((uint)factors.CaptionVariant % VariantCount);
        int template = variant % TemplateCount, wording = variant / TemplateCount;
        string cls = WorldWords.Of(classWord), expression = WorldWords.Of(factors.Expression);
        string color = WorldWords.Of(factors.Clothing);
        string background = BackgroundPhrase(factors.Background, wording);
        string? headwear = factors.Headwear == Headwear.None ? null : HeadwearPhrase(factors.Headwear);
        var b = new Builder();
        switch (template)
        {
            case 0: // a photo of a C in a K shirt [wearing H], E, B
                b.Add("a photo of a ").Class(cls).Add($" in {Article(color)} {color} shirt");
                if (headwear is not null) b.Add($" wearing {headwear}");
                b.Add($", {expression}, {background}");
                break;
            case 1: // a E C in a K shirt [with H] B
                b.Add($"{Article(expression)} {expression} ").Class(cls).Add($" in {Article(color)} {color} shirt");
                if (headwear is not null) b.Add($" with {headwear}");
                b.Add($" {background}");
                break;
            case 2: // a C [with H], E, B, wearing a K shirt
                b.Add("a ").Class(cls);
                if (headwear is not null) b.Add($" with {headwear}");
                b.Add($", {expression}, {background}, wearing {Article(color)} {color} shirt");
                break;
            case 3: // B, a E C wearing a K shirt [and H]
                b.Add($"{background}, {Article(expression)} {expression} ").Class(cls).Add($" wearing {Article(color)} {color} shirt");
                if (headwear is not null) b.Add($" and {headwear}");
                break;
            default: // a picture of a C, E, in a K shirt [and H], B
                b.Add("a picture of a ").Class(cls).Add($", {expression}, in {Article(color)} {color} shirt");
                if (headwear is not null) b.Add($" and {headwear}");
                b.Add($", {background}");
                break;
        }
        return b.Build();
    }

    private static string HeadwearPhrase(Headwear headwear)
    {
        string noun = WorldWords.Of(headwear);
        return headwear == Headwear.Headphones ? noun : $"{Article(noun)} {noun}";
    }

    private static string BackgroundPhrase(BackgroundScene scene, int wording) => (scene, wording) switch
    {
        (BackgroundScene.Beach, 0) => "on the beach",
        (BackgroundScene.Beach, _) => "at the beach",
        (BackgroundScene.City, 0) => "in the city",
        (BackgroundScene.City, _) => "on a city street",
        (BackgroundScene.Forest, 0) => "in the forest",
        (BackgroundScene.Forest, _) => "in a green forest",
        (BackgroundScene.NightSky, 0) => "under the night sky",
        (BackgroundScene.NightSky, _) => "under a starry night sky",
        (BackgroundScene.Room, 0) => "in a room",
        (BackgroundScene.Room, _) => "inside a cozy room",
        (BackgroundScene.Plain, 0) => "on a plain background",
        (BackgroundScene.Plain, _) => "against a plain background",
        _ => throw new ArgumentOutOfRangeException(nameof(scene), $"BackgroundScene {scene}: not a defined value"),
    };

    private static string Article(string nextWord) => "aeiou".Contains(nextWord[0]) ? "an" : "a";

    private sealed class Builder
    {
        private readonly StringBuilder _text = new();
        private CaptionSpan _span;

        public Builder Add(string text) { _text.Append(text); return this; }

        public Builder Class(string word)
        {
            _span = new CaptionSpan(_text.Length, word.Length);
            _text.Append(word);
            return this;
        }

        public CharacterCaption Build() => new(_text.ToString(), _span);
    }
}
