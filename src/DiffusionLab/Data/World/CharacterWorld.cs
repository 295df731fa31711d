using System.Collections.Concurrent;

namespace DiffusionLab.Data.World;

/// <summary>
/// CharacterWorld: a procedural, ID-centric dataset of cartoon people standing in for PhotoMaker's
/// ID groups (several different images per identity, each with a person mask and a caption whose
/// class word is marked; photomaker.md §2.4, §7) and StoryDiffusion's consistent characters.
/// Everything is a pure function of (world seed, identity, image index): traits come from the
/// first two, factors from all three. Rendering is thread-safe (a pool of renderers, one per
/// concurrent caller) and deterministic.
/// </summary>
public sealed class CharacterWorld : IDisposable
{
    /// <summary>Bumped whenever the drawing changes, so an on-disk cache never serves stale pictures.</summary>
    public const int RendererVersion = 1;

    private readonly ConcurrentBag<CharacterRenderer> _renderers = new();
    private bool _disposed;

    public CharacterWorld(CharacterWorldConfig? config = null)
    {
        Config = config ?? new CharacterWorldConfig();
        Config.Validate();
    }

    public CharacterWorldConfig Config { get; }

    public int ImageSize => Config.ImageSize;

    /// <summary>Train plus held-out identities.</summary>
    public int IdentityCount => Config.TrainIdentities + Config.HeldOutIdentities;

    public bool IsHeldOut(int identity)
    {
        CheckIdentity(identity);
        return identity >= Config.TrainIdentities;
    }

    /// <summary>The identity ids of a split, ascending: 0..Train−1, or Train..Train+HeldOut−1.</summary>
    public IReadOnlyList<int> Identities(WorldSplit split) => split switch
    {
        WorldSplit.Train => Enumerable.Range(0, Config.TrainIdentities).ToArray(),
        WorldSplit.HeldOut => Enumerable.Range(Config.TrainIdentities, Config.HeldOutIdentities).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(split), $"split {split}: expected Train or HeldOut"),
    };

    public IdentityTraits Traits(int identity)
    {
        CheckIdentity(identity);
        return WorldSampler.Traits(Config.WorldSeed, identity);
    }

    /// <summary>The factors of image <paramref name="imageIndex"/> of an identity (any index ≥ 0, not only below ImagesPerIdentity).</summary>
    public ImageFactors Factors(int identity, int imageIndex)
    {
        CheckIdentity(identity);
        CheckImageIndex(imageIndex);
        return WorldSampler.Factors(Config.WorldSeed, identity, imageIndex);
    }

    public CharacterCaption Caption(int identity, ImageFactors factors) => CaptionGrammar.Compose(Traits(identity).ClassWord, factors);

    public CharacterCaption Caption(int identity, int imageIndex) => Caption(identity, Factors(identity, imageIndex));

    /// <summary>Image <paramref name="imageIndex"/> of an identity, with its own random factors.</summary>
    public CharacterImage Render(int identity, int imageIndex, FaceParts? parts = null) =>
        Render(identity, Factors(identity, imageIndex), parts) with { ImageIndex = imageIndex };

    /// <summary>An identity in explicitly given factors: a prompt-like request ("this person, smiling, on the beach").</summary>
    public CharacterImage Render(int identity, ImageFactors factors, FaceParts? parts = null)
    {
        var traits = Traits(identity);
        factors.Validate();
        parts ??= FaceParts.Normal;
        var scene = CharacterScene.Of(traits, factors, parts);
        var (pixels, mask) = Draw(scene);
        var caption = CaptionGrammar.Compose(traits.ClassWord, factors);
        return new CharacterImage(identity, null, traits, factors, scene.Face, parts, caption.Text, caption.ClassWord, ImageSize, pixels, mask);
    }

    /// <summary>
    /// A transition clip between two keyframes of one identity: pose, placement, scale and the
    /// continuous expression parameters move with an ease-in-out curve; background, clothing and
    /// headwear (which must agree between the keyframes) stay. The first and last frames are the
    /// keyframes' own renders; a frame's factors and caption name the nearer keyframe's expression.
    /// </summary>
    public IReadOnlyList<CharacterImage> RenderClip(int identity, ImageFactors from, ImageFactors to, int frames)
    {
        if (frames is < 2 or > 64) throw new ArgumentOutOfRangeException(nameof(frames), $"frames {frames}: expected 2..64 (8–16 make a clip)");
        from.Validate();
        to.Validate();
        if (from.Background != to.Background || from.Clothing != to.Clothing || from.Headwear != to.Headwear || from.DetailSeed != to.DetailSeed)
            throw new ArgumentException($"clip keyframes must share background, clothing, headwear and detail seed; got {from.Background}/{to.Background}, {from.Clothing}/{to.Clothing}, {from.Headwear}/{to.Headwear}, {from.DetailSeed}/{to.DetailSeed}");
        var traits = Traits(identity);
        var faceFrom = ExpressionParameters.For(from.Expression);
        var faceTo = ExpressionParameters.For(to.Expression);
        var clip = new List<CharacterImage>(frames);
        for (int i = 0; i < frames; i++)
        {
            double u = (double)i / (frames - 1);
            double e = u * u * (3 - 2 * u); // smoothstep: zero velocity at both keyframes
            var factors = (e < 0.5 ? from : to) with
            {
                Yaw = Lerp(from.Yaw, to.Yaw, e),
                Roll = Lerp(from.Roll, to.Roll, e),
                Scale = Lerp(from.Scale, to.Scale, e),
                OffsetX = Lerp(from.OffsetX, to.OffsetX, e),
                OffsetY = Lerp(from.OffsetY, to.OffsetY, e),
            };
            var face = ExpressionParameters.Lerp(faceFrom, faceTo, e);
            var scene = CharacterScene.Of(traits, factors, FaceParts.Normal) with { Face = face };
            var (pixels, mask) = Draw(scene);
            var caption = CaptionGrammar.Compose(traits.ClassWord, factors);
            clip.Add(new CharacterImage(identity, null, traits, factors, face, FaceParts.Normal, caption.Text, caption.ClassWord, ImageSize, pixels, mask));
        }
        return clip;
    }

    /// <summary>
    /// <paramref name="count"/> distinct image indices of the identity other than
    /// <paramref name="excludeImageIndex"/>, drawn from [0, ImagesPerIdentity) by
    /// <paramref name="drawSeed"/>: the reference images PhotoMaker stacks for one target.
    /// </summary>
    public IReadOnlyList<int> OtherImageIndices(int identity, int excludeImageIndex, int count, long drawSeed = 0)
    {
        CheckIdentity(identity);
        int available = Config.ImagesPerIdentity - (excludeImageIndex >= 0 && excludeImageIndex < Config.ImagesPerIdentity ? 1 : 0);
        if (count < 0 || count > available)
            throw new ArgumentOutOfRangeException(nameof(count), $"count {count}: expected 0..{available} (other images of an identity with {Config.ImagesPerIdentity} images)");
        var rng = WorldRandom.For(Config.WorldSeed ^ drawSeed, identity, excludeImageIndex, WorldStream.References);
        var pool = Enumerable.Range(0, Config.ImagesPerIdentity).Where(i => i != excludeImageIndex).ToArray();
        // Partial Fisher–Yates: the first count entries become a uniform sample without replacement.
        for (int i = 0; i < count; i++)
        {
            int j = i + rng.Next(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..count];
    }

    /// <summary>Renders <see cref="OtherImageIndices"/>, each optionally degraded (noise seeded per reference).</summary>
    public IReadOnlyList<CharacterImage> RenderReferences(int identity, int excludeImageIndex, int count, long drawSeed = 0, ImageDegradation? degradation = null) =>
        OtherImageIndices(identity, excludeImageIndex, count, drawSeed)
            .Select(index =>
            {
                var image = Render(identity, index);
                return degradation is null ? image : Degrade(image, degradation, drawSeed);
            })
            .ToArray();

    /// <summary>The image with its pixels degraded; the noise is seeded by (world seed, identity, image index, seed).</summary>
    public CharacterImage Degrade(CharacterImage image, ImageDegradation degradation, long seed = 0)
    {
        var rng = WorldRandom.For(Config.WorldSeed ^ seed, image.Identity, image.ImageIndex ?? -1, WorldStream.Degradation);
        return image with { Pixels = ImageDegrader.Apply(image.Pixels, image.Size, degradation, rng) };
    }

    /// <summary>The record of image (identity, index) around already rendered bytes (from a cache).</summary>
    internal CharacterImage Describe(int identity, int imageIndex, byte[] pixels, byte[] mask)
    {
        var traits = Traits(identity);
        var factors = Factors(identity, imageIndex);
        var caption = CaptionGrammar.Compose(traits.ClassWord, factors);
        return new CharacterImage(identity, imageIndex, traits, factors, ExpressionParameters.For(factors.Expression), FaceParts.Normal,
            caption.Text, caption.ClassWord, ImageSize, pixels, mask);
    }

    internal (byte[] Pixels, byte[] Mask) Draw(in CharacterScene scene)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_renderers.TryTake(out var renderer)) renderer = new CharacterRenderer(ImageSize);
        try
        {
            return renderer.Render(scene);
        }
        finally
        {
            _renderers.Add(renderer);
        }
    }

    private static double Lerp(double a, double b, double t) => a * (1 - t) + b * t;

    private void CheckIdentity(int identity)
    {
        if (identity < 0 || identity >= IdentityCount)
            throw new ArgumentOutOfRangeException(nameof(identity), $"identity {identity}: expected 0..{IdentityCount - 1} ({Config.TrainIdentities} train + {Config.HeldOutIdentities} held-out)");
    }

    private static void CheckImageIndex(int imageIndex)
    {
        if (imageIndex < 0) throw new ArgumentOutOfRangeException(nameof(imageIndex), $"imageIndex {imageIndex}: expected >= 0");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        while (_renderers.TryTake(out var renderer)) renderer.Dispose();
    }
}
