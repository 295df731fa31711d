namespace DiffusionLab.Data.World;

/// <summary>Nose drawing, fixed per identity.</summary>
public enum NoseShape
{
    /// <summary>A small round blob.</summary>
    Button,
    /// <summary>A hooked line ending in a point.</summary>
    Pointed,
    /// <summary>A broad flat arc.</summary>
    Wide,
    /// <summary>A long vertical ridge.</summary>
    Long,
}
