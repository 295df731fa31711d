using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;

namespace DiffusionLab.Studies;

/// <summary>
/// One prompt of a <see cref="PhotoMakerStudySpec"/>, given as the caption factors it asks for. Its text is the caption
/// grammar's with each person's own class word, so it holds only caption words and the factor judge can score every
/// factor it names (photomaker.md §4.1: prompts over clothing, accessory, expression, background).
/// </summary>
public sealed record PhotoMakerStudyPrompt
{
    public Expression Expression { get; init; } = Expression.Neutral;
    public Headwear Headwear { get; init; } = Headwear.None;
    public ClothingColor Clothing { get; init; } = ClothingColor.Blue;
    public BackgroundScene Background { get; init; } = BackgroundScene.Plain;
    /// <summary>The caption template and wording (<see cref="CaptionGrammar"/>); 0 = "a photo of a C in a K shirt wearing H, E, B".</summary>
    public int Template { get; init; }

    public ImageFactors Factors => new() { Expression = Expression, Headwear = Headwear, Clothing = Clothing, Background = Background, CaptionVariant = Template };

    /// <summary>The caption for a person of class <paramref name="classWord"/>, its class word marked.</summary>
    public CharacterCaption Caption(ClassWord classWord) => CaptionGrammar.Compose(classWord, Factors);

    /// <summary>What an image for this prompt should show (every factor the caption names, the class word included).</summary>
    public IntendedFactors Intended(ClassWord classWord) => IntendedFactors.Of(classWord, Factors);

    /// <summary>The text with "{class}" where the class word goes (for tables).</summary>
    public string Pattern
    {
        get
        {
            var caption = Caption(ClassWord.Man);
            var span = caption.ClassWord;
            return caption.Text[..span.Start] + "{class}" + caption.Text[span.End..];
        }
    }
}
