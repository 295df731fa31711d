namespace DiffusionLab.Data;

/// <summary>
/// Where a <see cref="BatchSampler"/> stands, as plain numbers for a checkpoint: how many epochs have
/// begun, the index of the next item in the current epoch's permutation, and the seed that permutation
/// was drawn from.
/// </summary>
public readonly record struct BatchSamplerState(long Epoch, long Position, long EpochSeed);
