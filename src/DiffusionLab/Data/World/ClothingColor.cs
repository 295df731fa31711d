namespace DiffusionLab.Data.World;

/// <summary>Shirt colour of one image, named in the caption.</summary>
public enum ClothingColor
{
    Red,
    Orange,
    Yellow,
    Green,
    Blue,
    Purple,
    Pink,
    Black,
}
