namespace DiffusionLab.Data.World;

/// <summary>
/// The words of CharacterWorld: each factor's name as captions say it (for evaluators and prompts)
/// and the full caption vocabulary (for a word-level tokenizer). Captions are lowercase words
/// separated by single spaces; a comma is glued to the word before it and is a token of its own.
/// </summary>
public static class WorldWords
{
    private static readonly Lazy<IReadOnlyList<string>> AllWords = new(BuildVocabulary);

    /// <summary>Every token any caption can contain (words and ","), sorted ordinally.</summary>
    public static IReadOnlyList<string> Vocabulary => AllWords.Value;

    public static string Of(ClassWord word) => word switch
    {
        ClassWord.Man => "man",
        ClassWord.Woman => "woman",
        ClassWord.Boy => "boy",
        ClassWord.Girl => "girl",
        _ => throw Undefined(word),
    };

    public static string Of(Expression expression) => expression switch
    {
        Expression.Smiling => "smiling",
        Expression.Neutral => "neutral",
        Expression.Surprised => "surprised",
        Expression.Sad => "sad",
        Expression.Angry => "angry",
        _ => throw Undefined(expression),
    };

    /// <summary>The headwear's noun ("party hat"); None is "none", a word no caption contains.</summary>
    public static string Of(Headwear headwear) => headwear switch
    {
        Headwear.None => "none",
        Headwear.Cap => "cap",
        Headwear.PartyHat => "party hat",
        Headwear.Crown => "crown",
        Headwear.Headphones => "headphones",
        Headwear.ChristmasHat => "christmas hat",
        Headwear.TopHat => "top hat",
        Headwear.Beanie => "beanie",
        _ => throw Undefined(headwear),
    };

    public static string Of(ClothingColor color) => color switch
    {
        ClothingColor.Red => "red",
        ClothingColor.Orange => "orange",
        ClothingColor.Yellow => "yellow",
        ClothingColor.Green => "green",
        ClothingColor.Blue => "blue",
        ClothingColor.Purple => "purple",
        ClothingColor.Pink => "pink",
        ClothingColor.Black => "black",
        _ => throw Undefined(color),
    };

    /// <summary>The background's name; every caption of that background contains it.</summary>
    public static string Of(BackgroundScene scene) => scene switch
    {
        BackgroundScene.Beach => "beach",
        BackgroundScene.City => "city",
        BackgroundScene.Forest => "forest",
        BackgroundScene.NightSky => "night sky",
        BackgroundScene.Room => "room",
        BackgroundScene.Plain => "plain background",
        _ => throw Undefined(scene),
    };

    /// <summary>Splits a caption into vocabulary tokens: words at spaces, and each comma as ",".</summary>
    public static IReadOnlyList<string> Tokenize(string caption)
    {
        var tokens = new List<string>();
        foreach (var piece in caption.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (piece.Length > 1 && piece[^1] == ',')
            {
                tokens.Add(piece[..^1]);
                tokens.Add(",");
            }
            else tokens.Add(piece);
        }
        return tokens;
    }

    // Composing every combination the grammar allows (~77k captions, once) makes the vocabulary
    // exact by construction rather than a hand-kept list that could drift from the templates.
    private static IReadOnlyList<string> BuildVocabulary()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var classWord in Enum.GetValues<ClassWord>())
        foreach (var expression in Enum.GetValues<Expression>())
        foreach (var headwear in Enum.GetValues<Headwear>())
        foreach (var clothing in Enum.GetValues<ClothingColor>())
        foreach (var background in Enum.GetValues<BackgroundScene>())
        for (int variant = 0; variant < CaptionGrammar.VariantCount; variant++)
        {
            var factors = new ImageFactors { Expression = expression, Headwear = headwear, Clothing = clothing, Background = background, CaptionVariant = variant };
            words.UnionWith(Tokenize(CaptionGrammar.Compose(classWord, factors).Text));
        }
        return words.Order(StringComparer.Ordinal).ToArray().AsReadOnly();
    }

    private static ArgumentOutOfRangeException Undefined<T>(T value) where T : struct, Enum =>
        new(typeof(T).Name, $"{typeof(T).Name} {value}: not a defined value");
}
