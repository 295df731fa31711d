using DiffusionLab.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Imaging;

public class ImageGridTests
{
    [Fact]
    public void Grid_has_the_expected_pixel_size_and_layout()
    {
        using var images = torch.full(5, 1, 8, 8, -1.0f);
        byte[] png = ImageGrid.ToPng(images, columns: 3, padding: 2, scale: 2);
        using var grid = TensorImages.FromPng(png, 1);
        // width 3·16 + 4·2 = 56, height 2·16 + 3·2 = 38
        Assert.Equal(new long[] { 1, 38, 56 }, grid.shape);
        Assert.Equal(1f, grid[0, 0, 0].item<float>());      // padding is white
        Assert.Equal(-1f, grid[0, 2, 2].item<float>());     // first tile
        Assert.Equal(1f, grid[0, 20, 38].item<float>());    // missing sixth tile stays blank
    }

    [Fact]
    public void Fewer_images_than_columns_give_one_row()
    {
        using var images = torch.zeros(2, 3, 4, 4);
        using var grid = ImageGrid.Compose(images, columns: 8, padding: 1);
        Assert.Equal(new long[] { 3, 6, 11 }, grid.shape);
    }

    [Fact]
    public void Save_writes_the_png()
    {
        string path = Path.Combine(Path.GetTempPath(), $"difflab-grid-{Guid.NewGuid():N}", "grid.png");
        try
        {
            using var images = torch.zeros(4, 1, 4, 4);
            ImageGrid.Save(images, 2, path);
            Assert.Equal(ImageGrid.ToPng(images, 2), File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
