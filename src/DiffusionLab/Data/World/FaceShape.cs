namespace DiffusionLab.Data.World;

/// <summary>Outline of the head, fixed per identity.</summary>
public enum FaceShape
{
    Round,
    Oval,
    Square,
    Long,
    Heart,
}
