using DiffusionLab.Data.World;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Data.World;

public sealed class CharacterWorldDatasetTests
{
    [Fact]
    public void Held_out_identities_never_appear_in_the_train_split()
    {
        using var world = new CharacterWorld();
        var train = new CharacterWorldDataset(world, WorldSplit.Train);
        var heldOut = new CharacterWorldDataset(world, WorldSplit.HeldOut);
        Assert.Equal(2000L * 64, train.Count);
        Assert.Equal(200L * 64, heldOut.Count);
        var seen = new HashSet<int>();
        for (long i = 0; i < train.Count; i++)
        {
            var (identity, index) = train.Item(i);
            Assert.False(world.IsHeldOut(identity));
            Assert.InRange(index, 0, 63);
            seen.Add(identity);
        }
        Assert.Equal(2000, seen.Count);
        for (long i = 0; i < heldOut.Count; i++)
            Assert.True(world.IsHeldOut(heldOut.IdentityOf(i)));
        Assert.Equal(Enumerable.Range(2000, 200), world.Identities(WorldSplit.HeldOut));
        Assert.Throws<ArgumentOutOfRangeException>(() => train.Item(train.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => train.IndexOf(2000, 0));
        Assert.Equal(64L * 7 + 5, train.IndexOf(7, 5));
    }

    [Fact]
    public void Batches_carry_images_masks_captions_ids_and_labels()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 20, HeldOutIdentities = 5, ImagesPerIdentity = 8, ImageSize = 32 });
        var data = new CharacterWorldDataset(world, WorldSplit.HeldOut);
        long[] indices = [0, 9, 39, 9];
        using var batch = data.RenderBatch(indices);
        Assert.Equal(new long[] { 4, 3, 32, 32 }, batch.Images.shape);
        Assert.Equal(new long[] { 4, 1, 32, 32 }, batch.Masks.shape);
        Assert.InRange(batch.Images.min().item<float>(), -1f, 1f);
        Assert.InRange(batch.Images.max().item<float>(), -1f, 1f);
        Assert.True(batch.Masks.eq(0).logical_or(batch.Masks.eq(1)).all().item<bool>());
        Assert.Equal(new long[] { 20, 21, 24, 21 }, batch.IdentityIds.data<long>().ToArray());
        Assert.Equal(CharacterWorldDataset.LabelNames.Order(), batch.FactorLabels.Keys.Order());
        for (int i = 0; i < indices.Length; i++)
        {
            var image = data.Get(indices[i]);
            Assert.Equal(image.Caption, batch.Captions[i]);
            Assert.Equal(image.ClassWordSpan, batch.ClassWordSpans[i]);
            Assert.Equal((long)image.Factors.Expression, batch.FactorLabels[CharacterWorldDataset.ExpressionLabel][i].item<long>());
            Assert.Equal((long)image.Factors.Headwear, batch.FactorLabels[CharacterWorldDataset.HeadwearLabel][i].item<long>());
            Assert.Equal((long)image.Factors.Clothing, batch.FactorLabels[CharacterWorldDataset.ClothingLabel][i].item<long>());
            Assert.Equal((long)image.Factors.Background, batch.FactorLabels[CharacterWorldDataset.BackgroundLabel][i].item<long>());
            Assert.Equal((long)image.ClassWord, batch.FactorLabels[CharacterWorldDataset.ClassWordLabel][i].item<long>());
            using var expected = image.ToTensor();
            Assert.True(expected.equal(batch.Images[i]).all().item<bool>());
            using var mask = image.MaskTensor();
            Assert.True(mask.equal(batch.Masks[i]).all().item<bool>());
        }
        using var parallel = new CharacterWorldDataset(world, WorldSplit.HeldOut, parallelism: 2).RenderBatch(indices);
        Assert.True(parallel.Images.equal(batch.Images).all().item<bool>());
        Assert.Equal(batch.Captions, parallel.Captions);
    }

    [Fact]
    public void Cache_stores_raw_bytes_and_serves_them_back()
    {
        string root = TinyRuns.TempDir("world-cache");
        var config = new CharacterWorldConfig { TrainIdentities = 6, HeldOutIdentities = 0, ImagesPerIdentity = 4, ImageSize = 32 };
        using var world = new CharacterWorld(config);
        var first = new CharacterWorldDataset(world, WorldSplit.Train, cacheFolder: root);
        var rendered = first.Get(13);
        Assert.Equal((1L, 0L), (first.Cache!.Misses, first.Cache.Hits));
        string file = first.Cache.PathOf(3, 1);
        Assert.Equal(32 * 32 * 4, new FileInfo(file).Length);
        Assert.Contains($"s0-32px-r{CharacterWorld.RendererVersion}", file);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp-*"));

        using var again = new CharacterWorld(config);
        var second = new CharacterWorldDataset(again, WorldSplit.Train, cacheFolder: root);
        var cached = second.Get(13);
        Assert.Equal((0L, 1L), (second.Cache!.Misses, second.Cache.Hits));
        Assert.Equal(rendered.Pixels, cached.Pixels);
        Assert.Equal(rendered.Mask, cached.Mask);
        Assert.Equal(rendered with { Pixels = cached.Pixels, Mask = cached.Mask }, cached);

        // A truncated file is rendered again and rewritten.
        File.WriteAllBytes(file, new byte[10]);
        Assert.Equal(rendered.Pixels, second.Get(13).Pixels);
        Assert.Equal(1L, second.Cache.Misses);
        Assert.Equal(32 * 32 * 4, new FileInfo(file).Length);
    }

    [Fact]
    public void References_are_other_images_of_the_same_identity()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 10, HeldOutIdentities = 2, ImagesPerIdentity = 16, ImageSize = 32 });
        var others = world.OtherImageIndices(4, excludeImageIndex: 5, count: 15);
        Assert.Equal(Enumerable.Range(0, 16).Where(i => i != 5), others.Order());
        var four = world.OtherImageIndices(4, 5, 4, drawSeed: 1);
        Assert.Equal(four, world.OtherImageIndices(4, 5, 4, drawSeed: 1));
        Assert.NotEqual(four, world.OtherImageIndices(4, 5, 4, drawSeed: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.OtherImageIndices(4, 5, 16));

        var references = world.RenderReferences(4, 5, 3, drawSeed: 1, degradation: new ImageDegradation(BlurSigma: 0.8));
        Assert.Equal(3, references.Count);
        Assert.All(references, r => Assert.Equal(4, r.Identity));
        Assert.Equal(four.Take(3), references.Select(r => r.ImageIndex!.Value));
        Assert.NotEqual(world.Render(4, four[0]).Pixels, references[0].Pixels);

        var data = new CharacterWorldDataset(world, WorldSplit.HeldOut);
        long target = data.IndexOf(11, 2);
        var refs = data.ReferenceIndices(target, 4);
        Assert.All(refs, i => Assert.Equal(11, data.IdentityOf(i)));
        Assert.DoesNotContain(target, refs);
        Assert.Equal(4, refs.Distinct().Count());
    }
}
