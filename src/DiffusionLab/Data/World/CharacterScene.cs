namespace DiffusionLab.Data.World;

/// <summary>Everything one drawing depends on, with the expression already turned into continuous parameters.</summary>
internal readonly record struct CharacterScene(
    IdentityTraits Traits,
    ExpressionParameters Face,
    FaceParts Parts,
    Headwear Headwear,
    ClothingColor Clothing,
    BackgroundScene Background,
    double Yaw,
    double Roll,
    double Scale,
    double OffsetX,
    double OffsetY,
    int DetailSeed)
{
    public static CharacterScene Of(IdentityTraits traits, ImageFactors factors, FaceParts parts) => new(
        traits, ExpressionParameters.For(factors.Expression), parts, factors.Headwear, factors.Clothing, factors.Background,
        factors.Yaw, factors.Roll, factors.Scale, factors.OffsetX, factors.OffsetY, factors.DetailSeed);
}
