namespace DiffusionLab.Data.World;

/// <summary>Iris colour, fixed per identity.</summary>
public enum EyeColor
{
    Brown,
    Blue,
    Green,
    Gray,
    Hazel,
    Violet,
}
