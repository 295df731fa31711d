using DiffusionLab.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Imaging;

public class TensorImagesTests
{
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Png_round_trip_is_exact_for_quantized_images(int channels)
    {
        var generator = new Generator(5);
        using var levels = torch.randint(0, 256, new long[] { channels, 7, 9 }, ScalarType.Int64, generator: generator);
        using var image = levels.to(ScalarType.Float32).div(127.5).sub(1.0);
        byte[] png = TensorImages.ToPng(image);
        Assert.Equal(PngSignature, png.Take(8));
        using var back = TensorImages.FromPng(png, channels);
        Assert.Equal(image.shape, back.shape);
        Assert.True(back.equal(image).all().item<bool>());
    }

    [Fact]
    public void Batch_of_one_and_out_of_range_values_are_accepted() // 0 → 127.5 rounds half to even → 128
    {
        using var image = torch.tensor(new float[] { -3f, -1f, 0f, 1f, 5f, 1f }).view(1, 1, 2, 3);
        using var back = TensorImages.FromPng(TensorImages.ToPng(image), 1);
        Assert.Equal(new float[] { -1f, -1f, 128f / 127.5f - 1f, 1f, 1f, 1f }, back.data<float>().ToArray());
    }

    [Fact]
    public void Grey_from_rgb_uses_luma()
    {
        // Pure red (255,0,0) has luma 0.299·255 = 76.2 → 76.
        using var red = torch.tensor(new float[] { 1f, -1f, -1f }).view(3, 1, 1);
        using var grey = TensorImages.FromPng(TensorImages.ToPng(red), 1);
        Assert.Equal(76f / 127.5f - 1f, grey.item<float>(), 6);
    }
}
