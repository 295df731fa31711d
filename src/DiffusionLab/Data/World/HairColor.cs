namespace DiffusionLab.Data.World;

/// <summary>Hair (and eyebrow, beard) colour, fixed per identity.</summary>
public enum HairColor
{
    Black,
    DarkBrown,
    Brown,
    Auburn,
    Ginger,
    Blonde,
    Gray,
    Blue,
}
