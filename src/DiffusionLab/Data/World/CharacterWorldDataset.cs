namespace DiffusionLab.Data.World;

/// <summary>
/// A split of a <see cref="CharacterWorld"/> as an indexable dataset: item i is image
/// i mod ImagesPerIdentity of the split's identity i div ImagesPerIdentity, so Count =
/// identities × ImagesPerIdentity. Held-out identities never appear in the Train split.
/// Batches carry factor labels under <see cref="LabelNames"/> (enum values as int64).
/// </summary>
public sealed class CharacterWorldDataset : ICaptionedDataset
{
    public const string ClassWordLabel = "class_word";
    public const string ExpressionLabel = "expression";
    public const string HeadwearLabel = "headwear";
    public const string ClothingLabel = "clothing";
    public const string BackgroundLabel = "background";

    public static IReadOnlyList<string> LabelNames { get; } = Array.AsReadOnly([ClassWordLabel, ExpressionLabel, HeadwearLabel, ClothingLabel, BackgroundLabel]);

    private readonly int _parallelism;

    /// <param name="world">The world (owned by the caller).</param>
    /// <param name="split">Train or held-out identities.</param>
    /// <param name="cacheFolder">Optional on-disk cache root (see <see cref="CharacterWorldCache"/>); null renders every time.</param>
    /// <param name="parallelism">Threads that render one batch; 1 renders on the calling thread.</param>
    public CharacterWorldDataset(CharacterWorld world, WorldSplit split, string? cacheFolder = null, int parallelism = 1)
    {
        if (parallelism < 1) throw new ArgumentOutOfRangeException(nameof(parallelism), $"parallelism {parallelism}: expected >= 1");
        World = world;
        Split = split;
        var ids = world.Identities(split);
        if (ids.Count == 0) throw new ArgumentException($"split {split}: the world has no {split} identities");
        FirstIdentity = ids[0];
        IdentityCount = ids.Count;
        Cache = cacheFolder is null ? null : new CharacterWorldCache(world, cacheFolder);
        _parallelism = parallelism;
    }

    public CharacterWorld World { get; }
    public WorldSplit Split { get; }
    public CharacterWorldCache? Cache { get; }
    public int FirstIdentity { get; }
    public int IdentityCount { get; }
    public int ImagesPerIdentity => World.Config.ImagesPerIdentity;
    public int ImageSize => World.ImageSize;
    public long Count => (long)IdentityCount * ImagesPerIdentity;

    public (int Identity, int ImageIndex) Item(long index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"index {index}: expected 0..{Count - 1}");
        return (FirstIdentity + (int)(index / ImagesPerIdentity), (int)(index % ImagesPerIdentity));
    }

    public int IdentityOf(long index) => Item(index).Identity;

    public long IndexOf(int identity, int imageIndex)
    {
        if (identity < FirstIdentity || identity >= FirstIdentity + IdentityCount)
            throw new ArgumentOutOfRangeException(nameof(identity), $"identity {identity}: not in the {Split} split ({FirstIdentity}..{FirstIdentity + IdentityCount - 1})");
        if (imageIndex < 0 || imageIndex >= ImagesPerIdentity)
            throw new ArgumentOutOfRangeException(nameof(imageIndex), $"imageIndex {imageIndex}: expected 0..{ImagesPerIdentity - 1}");
        return (long)(identity - FirstIdentity) * ImagesPerIdentity + imageIndex;
    }

    public CharacterImage Get(long index)
    {
        var (identity, imageIndex) = Item(index);
        return Cache is null ? World.Render(identity, imageIndex) : Cache.Get(identity, imageIndex);
    }

    /// <summary>Dataset indices of <paramref name="count"/> other images of item <paramref name="index"/>'s identity (PhotoMaker references).</summary>
    public long[] ReferenceIndices(long index, int count, long drawSeed = 0)
    {
        var (identity, imageIndex) = Item(index);
        return World.OtherImageIndices(identity, imageIndex, count, drawSeed).Select(i => IndexOf(identity, i)).ToArray();
    }

    /// <summary>
    /// Items as one batch: images (N,3,H,W) in [−1,1], masks (N,1,H,W) 0/1, captions, class-word
    /// spans, identity ids and the factor labels of <see cref="LabelNames"/>.
    /// </summary>
    public CaptionedBatch RenderBatch(IReadOnlyList<long> indices)
    {
        var builder = new CaptionedBatchBuilder(indices.Count, ImageSize, LabelNames);
        void One(int i)
        {
            var image = Get(indices[i]);
            builder.Set(i, image.Pixels, image.Mask, image.Caption, image.ClassWordSpan, image.Identity);
            builder.SetLabel(i, ClassWordLabel, (long)image.Traits.ClassWord);
            builder.SetLabel(i, ExpressionLabel, (long)image.Factors.Expression);
            builder.SetLabel(i, HeadwearLabel, (long)image.Factors.Headwear);
            builder.SetLabel(i, ClothingLabel, (long)image.Factors.Clothing);
            builder.SetLabel(i, BackgroundLabel, (long)image.Factors.Background);
        }
        if (_parallelism == 1)
            for (int i = 0; i < indices.Count; i++) One(i);
        else
            Parallel.For(0, indices.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, One);
        return builder.Build();
    }

    public CaptionedBatch GetBatch(IReadOnlyList<long> indices) => RenderBatch(indices);
}
