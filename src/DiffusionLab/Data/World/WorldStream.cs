namespace DiffusionLab.Data.World;

/// <summary>Independent random streams of one key.</summary>
internal enum WorldStream : ulong
{
    Traits = 1,
    Factors = 2,
    Details = 3,
    Degradation = 4,
    References = 5,
}
