namespace DiffusionLab.Data.World;

/// <summary>Skin colour, light to deep, fixed per identity.</summary>
public enum SkinTone
{
    Porcelain,
    Fair,
    Light,
    Beige,
    Olive,
    Tan,
    Brown,
    Deep,
}
