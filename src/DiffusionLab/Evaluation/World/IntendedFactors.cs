using DiffusionLab.Data.World;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// What one generated image was asked for: the prompt's class word, expression, headwear,
/// clothing colour and background. A null factor was not requested and is not scored.
/// </summary>
public sealed record IntendedFactors(ClassWord? ClassWord = null, Expression? Expression = null, Headwear? Headwear = null,
    ClothingColor? Clothing = null, BackgroundScene? Background = null)
{
    /// <summary>Every factor a CharacterWorld caption names (headwear None included: the caption then names none, and none should be drawn).</summary>
    public static IntendedFactors Of(ClassWord classWord, ImageFactors factors) =>
        new(classWord, factors.Expression, factors.Headwear, factors.Clothing, factors.Background);

    /// <summary>The requested class of factor <paramref name="name"/> (a <see cref="FactorClassifier.Factors"/> name), or null.</summary>
    public long? Get(string name) => name switch
    {
        CharacterWorldDataset.ClassWordLabel => (long?)ClassWord,
        CharacterWorldDataset.ExpressionLabel => (long?)Expression,
        CharacterWorldDataset.HeadwearLabel => (long?)Headwear,
        CharacterWorldDataset.ClothingLabel => (long?)Clothing,
        CharacterWorldDataset.BackgroundLabel => (long?)Background,
        _ => throw new ArgumentException($"factor '{name}': expected one of {string.Join(", ", FactorClassifier.Factors.Select(f => f.Name))}"),
    };
}
