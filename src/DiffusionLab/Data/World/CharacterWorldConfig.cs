namespace DiffusionLab.Data.World;

/// <summary>
/// A CharacterWorld: identities 0..TrainIdentities−1 are for training, the next HeldOutIdentities
/// are never trained on (to test personalisation on unseen people).
/// </summary>
public sealed record CharacterWorldConfig
{
    /// <summary>Seeds every identity and image; two worlds with different seeds share no faces.</summary>
    public long WorldSeed { get; init; } = 0;
    /// <summary>PhotoMaker's data has about 13,000 IDs (photomaker.md §2.4); 2,000 is our small-scale stand-in.</summary>
    public int TrainIdentities { get; init; } = 2000;
    public int HeldOutIdentities { get; init; } = 200;
    /// <summary>Side in pixels; drawings are resolution-independent, 32, 64 and 128 are the tested sizes.</summary>
    public int ImageSize { get; init; } = 64;
    /// <summary>
    /// Images per identity in a dataset's index space. PhotoMaker averages ~8.6 images per ID
    /// (photomaker.md §2.4); rendering is free here, so more variety per ID costs nothing.
    /// </summary>
    public int ImagesPerIdentity { get; init; } = 64;

    public void Validate()
    {
        if (TrainIdentities < 1) throw new ArgumentOutOfRangeException(nameof(TrainIdentities), $"TrainIdentities {TrainIdentities}: expected >= 1");
        if (HeldOutIdentities < 0) throw new ArgumentOutOfRangeException(nameof(HeldOutIdentities), $"HeldOutIdentities {HeldOutIdentities}: expected >= 0");
        if ((long)TrainIdentities + HeldOutIdentities > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(HeldOutIdentities), $"TrainIdentities + HeldOutIdentities = {(long)TrainIdentities + HeldOutIdentities}: expected at most {int.MaxValue}");
        if (ImageSize is < 16 or > 1024) throw new ArgumentOutOfRangeException(nameof(ImageSize), $"ImageSize {ImageSize}: expected 16..1024");
        if (ImagesPerIdentity < 1) throw new ArgumentOutOfRangeException(nameof(ImagesPerIdentity), $"ImagesPerIdentity {ImagesPerIdentity}: expected >= 1");
    }
}
