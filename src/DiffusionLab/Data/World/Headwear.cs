namespace DiffusionLab.Data.World;

/// <summary>What the character wears on the head in one image; named in the caption unless None.</summary>
public enum Headwear
{
    None,
    Cap,
    PartyHat,
    Crown,
    Headphones,
    ChristmasHat,
    TopHat,
    Beanie,
}
