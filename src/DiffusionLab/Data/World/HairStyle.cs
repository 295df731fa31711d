namespace DiffusionLab.Data.World;

/// <summary>Haircut, fixed per identity; women and girls draw the longer styles more often.</summary>
public enum HairStyle
{
    Bald,
    Short,
    Spiky,
    Curly,
    Bob,
    Long,
    Ponytail,
    Bun,
}
