namespace DiffusionLab.Data.World;

/// <summary>One distinctive feature per identity; beard and moustache only for men.</summary>
public enum DistinctiveMark
{
    None,
    Glasses,
    Freckles,
    Mole,
    Scar,
    Beard,
    Moustache,
    Earrings,
    RosyCheeks,
}
