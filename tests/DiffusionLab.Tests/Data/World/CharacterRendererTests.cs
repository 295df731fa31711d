using DiffusionLab.Data.World;

namespace DiffusionLab.Tests.Data.World;

public sealed class CharacterRendererTests : IDisposable
{
    private readonly CharacterWorld _world = new(new CharacterWorldConfig { TrainIdentities = 50, HeldOutIdentities = 10 });

    public void Dispose() => _world.Dispose();

    [Fact]
    public void Same_key_gives_identical_bytes_across_worlds_and_threads()
    {
        using var other = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 50, HeldOutIdentities = 10 });
        var keys = Enumerable.Range(0, 24).Select(i => (Identity: i % 7, Index: i * 3)).ToArray();
        var sequential = keys.Select(k => _world.Render(k.Identity, k.Index)).ToArray();
        var parallel = new CharacterImage[keys.Length];
        Parallel.For(0, keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => parallel[i] = other.Render(keys[i].Identity, keys[i].Index));
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(sequential[i].Pixels, parallel[i].Pixels);
            Assert.Equal(sequential[i].Mask, parallel[i].Mask);
            Assert.Equal(sequential[i].Caption, parallel[i].Caption);
            Assert.Equal(sequential[i].Factors, parallel[i].Factors);
        }
    }

    [Fact]
    public void Different_identities_images_and_seeds_differ()
    {
        var a = _world.Render(3, 0);
        var sameFactorsOtherIdentity = _world.Render(4, a.Factors);
        Assert.NotEqual(a.Pixels, sameFactorsOtherIdentity.Pixels);
        Assert.NotEqual(a.Pixels, _world.Render(3, 1).Pixels);
        Assert.Equal(a.Traits, _world.Render(3, 1).Traits);
        using var reseeded = new CharacterWorld(new CharacterWorldConfig { WorldSeed = 1, TrainIdentities = 50, HeldOutIdentities = 10 });
        int differing = Enumerable.Range(0, 20).Count(id => reseeded.Traits(id) != _world.Traits(id));
        Assert.True(differing >= 18, $"only {differing} of 20 identities changed with the world seed");
    }

    [Fact]
    public void Identities_are_varied()
    {
        using var world = new CharacterWorld();
        var traits = Enumerable.Range(0, 2000).Select(world.Traits).ToArray();
        Assert.All(Enum.GetValues<ClassWord>(), c => Assert.InRange(traits.Count(t => t.ClassWord == c), 400, 600));
        Assert.All(Enum.GetValues<HairStyle>(), s => Assert.Contains(traits, t => t.HairStyle == s));
        Assert.All(Enum.GetValues<DistinctiveMark>(), m => Assert.Contains(traits, t => t.Mark == m));
        Assert.DoesNotContain(traits, t => t.ClassWord != ClassWord.Man && t.Mark is DistinctiveMark.Beard or DistinctiveMark.Moustache);
        // Long styles are more common for women and girls than for men and boys.
        double LongShare(bool female) => traits.Where(t => t.IsFemale == female).Average(t => t.HairStyle is HairStyle.Long or HairStyle.Bob or HairStyle.Ponytail or HairStyle.Bun ? 1.0 : 0.0);
        Assert.True(LongShare(true) > LongShare(false) + 0.3);
        // The discrete look (class, face, skin, hair style and colour, eyes, nose, mouth, mark) rarely repeats.
        int distinct = traits.Select(t => (t.ClassWord, t.FaceShape, t.SkinTone, t.HairStyle, t.HairColor, t.EyeColor, t.NoseShape, t.MouthShape, t.Mark)).Distinct().Count();
        Assert.True(distinct >= 1990, $"{distinct} distinct looks among 2000 identities");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    public void All_sizes_render_the_same_picture(int size)
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = size, TrainIdentities = 10, HeldOutIdentities = 0 });
        var image = world.Render(2, 5);
        Assert.Equal(size, image.Size);
        Assert.Equal(size * size * 3, image.Pixels.Length);
        Assert.Equal(size * size, image.Mask.Length);
        Assert.All(image.Mask, m => Assert.True(m is 0 or 255));
        // Resolution independence: the person covers the same share of the frame at every size, up to
        // the ring of partly covered edge pixels the mask includes (a larger share at small sizes).
        using var reference = new CharacterWorld(new CharacterWorldConfig { ImageSize = 128, TrainIdentities = 10, HeldOutIdentities = 0 });
        double edge = 2.0 / size + 0.01;
        Assert.InRange(image.MaskFraction - reference.Render(2, 5).MaskFraction, -edge, edge);
        using var tensor = image.ToTensor();
        Assert.Equal(new long[] { 3, size, size }, tensor.shape);
        Assert.InRange(tensor.min().item<float>(), -1f, 1f);
        Assert.InRange(tensor.max().item<float>(), -1f, 1f);
    }

    public static TheoryData<string, int> PartCounts() => new()
    {
        { "eyes", 1 }, { "eyes", 2 }, { "eyes", 3 },
        { "noses", 1 }, { "noses", 2 },
        { "mouths", 1 }, { "mouths", 2 },
    };

    /// <summary>
    /// The parts drawn are counted as blobs of the difference to the same picture with that part
    /// removed (both with the other parts normal), so a renderer that ignores the counts fails.
    /// </summary>
    [Theory]
    [MemberData(nameof(PartCounts))]
    public void Renders_exactly_the_requested_face_parts(string part, int count)
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = 128, TrainIdentities = 40, HeldOutIdentities = 0 });
        FaceParts With(int n) => part switch
        {
            "eyes" => new FaceParts(eyes: n),
            "noses" => new FaceParts(noses: n),
            _ => new FaceParts(mouths: n),
        };
        foreach (var expression in new[] { Expression.Neutral, Expression.Smiling, Expression.Surprised })
            for (int identity = 0; identity < 40; identity += 5)
            {
                var factors = new ImageFactors { Expression = expression, Yaw = 0.2 * (identity % 3 - 1) };
                var none = world.Render(identity, factors, With(0));
                var some = world.Render(identity, factors, With(count));
                Assert.Equal(count, part == "eyes" ? some.Parts.Eyes : part == "noses" ? some.Parts.Noses : some.Parts.Mouths);
                var changed = WorldImages.Dilate(WorldImages.Differs(none.Pixels, some.Pixels, 12), 128);
                int blobs = WorldImages.Blobs(changed, 128, minArea: 6);
                Assert.True(blobs == count, $"identity {identity} ({world.Traits(identity).Mark}, {world.Traits(identity).NoseShape} nose), {expression}: {count} {part} requested, {blobs} drawn");
                Assert.Equal(none.Mask, some.Mask);
            }
    }

    [Fact]
    public void Face_parts_reject_impossible_counts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceParts(eyes: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceParts(noses: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceParts(mouths: 3));
        Assert.True(FaceParts.Normal.IsNormal);
    }

    [Fact]
    public void Out_of_range_requests_name_the_problem()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _world.Render(60, 0));
        Assert.Contains("identity 60", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => _world.Render(0, new ImageFactors { Yaw = 2 }));
        Assert.Contains("Yaw", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _world.Render(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CharacterWorld(new CharacterWorldConfig { ImageSize = 8 }));
    }

    [Fact]
    public void Degradations_are_seeded_and_leave_the_mask()
    {
        var image = _world.Render(1, 2);
        var d = new ImageDegradation(BlurSigma: 1.0, NoiseStd: 10, DownsampleFactor: 2);
        var a = _world.Degrade(image, d, seed: 7);
        Assert.Equal(a.Pixels, _world.Degrade(image, d, seed: 7).Pixels);
        Assert.NotEqual(a.Pixels, _world.Degrade(image, d, seed: 8).Pixels);
        Assert.NotEqual(image.Pixels, a.Pixels);
        Assert.Same(image.Mask, a.Mask);
        Assert.InRange(WorldImages.MeanAbsDifference(image.Pixels, a.Pixels), 2, 40);
        Assert.Equal(image.Pixels, _world.Degrade(image, new ImageDegradation()).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => _world.Degrade(image, new ImageDegradation(DownsampleFactor: 0)));
    }
}
