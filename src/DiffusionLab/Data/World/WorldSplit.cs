namespace DiffusionLab.Data.World;

/// <summary>Which identities a dataset view covers: training identities or the held-out ones never trained on.</summary>
public enum WorldSplit
{
    Train,
    HeldOut,
}
