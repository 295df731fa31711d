namespace DiffusionLab.Data.World;

/// <summary>
/// What varies between the images of one identity. Expression, headwear (unless None), clothing
/// colour and background are named in the caption; pose, placement and the scene details are not.
/// Build one by hand to render a prompt-like request, or get the per-index draw from
/// <see cref="CharacterWorld.Factors"/>.
/// </summary>
public sealed record ImageFactors
{
    public Expression Expression { get; init; } = Expression.Neutral;
    public Headwear Headwear { get; init; } = Headwear.None;
    public ClothingColor Clothing { get; init; } = ClothingColor.Blue;
    public BackgroundScene Background { get; init; } = BackgroundScene.Plain;
    /// <summary>Head turn, −1 (facing the viewer's left) … 1 (right): features shift sideways and the face narrows.</summary>
    public double Yaw { get; init; }
    /// <summary>Head tilt in degrees, −20 … 20, clockwise positive.</summary>
    public double Roll { get; init; }
    /// <summary>Person size relative to the default, 0.7 … 1.25, scaled about the bottom centre.</summary>
    public double Scale { get; init; } = 1.0;
    /// <summary>Person shift in percent of the image side, −15 … 15.</summary>
    public double OffsetX { get; init; }
    /// <summary>Vertical person shift in percent of the image side, −10 … 10 (positive moves down).</summary>
    public double OffsetY { get; init; }
    /// <summary>Seeds the scene's unnamed details: building heights, tree and star positions, the plain colour.</summary>
    public int DetailSeed { get; init; }
    /// <summary>Chooses the caption template and wording (any value; taken modulo the template count).</summary>
    public int CaptionVariant { get; init; }

    /// <summary>Throws ArgumentOutOfRangeException naming the first factor outside its range.</summary>
    public void Validate()
    {
        Check(Enum.IsDefined(Expression), nameof(Expression), Expression, "a defined Expression");
        Check(Enum.IsDefined(Headwear), nameof(Headwear), Headwear, "a defined Headwear");
        Check(Enum.IsDefined(Clothing), nameof(Clothing), Clothing, "a defined ClothingColor");
        Check(Enum.IsDefined(Background), nameof(Background), Background, "a defined BackgroundScene");
        Check(Yaw is >= -1 and <= 1, nameof(Yaw), Yaw, "-1..1");
        Check(Roll is >= -20 and <= 20, nameof(Roll), Roll, "-20..20 degrees");
        Check(Scale is >= 0.7 and <= 1.25, nameof(Scale), Scale, "0.7..1.25");
        Check(OffsetX is >= -15 and <= 15, nameof(OffsetX), OffsetX, "-15..15");
        Check(OffsetY is >= -10 and <= 10, nameof(OffsetY), OffsetY, "-10..10");
    }

    private static void Check(bool ok, string name, object value, string expected)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"image factor {name} {value}: expected {expected}");
    }
}
