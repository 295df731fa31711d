namespace DiffusionLab.Data.World;

/// <summary>Mouth width and lip thickness, fixed per identity; the expression bends and opens it.</summary>
public enum MouthShape
{
    Small,
    Medium,
    Wide,
    Full,
}
