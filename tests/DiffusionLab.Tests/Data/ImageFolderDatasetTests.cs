using DiffusionLab.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Data;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"difflab-imagefolder-{Guid.NewGuid():N}");

    public ImageFolderDatasetTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Loads_classes_in_ordinal_order_and_center_crops()
    {
        // "b" wide images: white centre, black sides; "a" tall images: red centre, blue top and bottom.
        WritePng(Path.Combine(_root, "b", "1.png"), 40, 20, (x, y) => x >= 10 && x < 30 ? SKColors.White : SKColors.Black);
        WritePng(Path.Combine(_root, "b", "2.PNG"), 60, 30, (x, y) => x >= 15 && x < 45 ? SKColors.White : SKColors.Black);
        WritePng(Path.Combine(_root, "a", "x.png"), 12, 24, (x, y) => y >= 6 && y < 18 ? SKColors.Red : SKColors.Blue);
        File.WriteAllText(Path.Combine(_root, "a", "notes.txt"), "not an image, and not an image extension");
        WritePng(Path.Combine(_root, ".ipynb_checkpoints", "1.png"), 8, 8, (x, y) => SKColors.Gray);

        using var rgb = ImageFolderDataset.Load(_root, imageSize: 10, channels: 3);
        Assert.Equal(new[] { "a", "b" }, rgb.ClassNames);
        Assert.Equal(new long[] { 3, 3, 10, 10 }, rgb.Images.shape);
        Assert.Equal(new long[] { 0, 1, 1 }, rgb.Labels.data<long>().ToArray());
        // Only the centre survives the crop (a pixel of tolerance for the bicubic edge).
        using var red = rgb.Images[0, .., 1..9, 1..9];
        Assert.True(red[0].gt(0.95f).all().item<bool>());
        Assert.True(red[2].lt(-0.95f).all().item<bool>());
        using var white = rgb.Images[1..3, .., 1..9, 1..9];
        Assert.True(white.gt(0.95f).all().item<bool>());

        using var grey = ImageFolderDataset.Load(_root, imageSize: 10, channels: 1);
        Assert.Equal(new long[] { 3, 1, 10, 10 }, grey.Images.shape);
        Assert.True(grey.Images[1..3, .., 1..9, 1..9].gt(0.95f).all().item<bool>());
    }

    [Fact]
    public void Missing_folder_names_the_path()
    {
        string missing = Path.Combine(_root, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageFolderDataset.Load(missing, 8, 3));
        Assert.Equal($"image folder '{missing}': not found", e.Message);
    }

    [Fact]
    public void Folder_without_classes_or_images_is_an_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(_root, 8, 3));
        Assert.Equal($"image folder '{_root}': no class sub-folders", e.Message);
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        e = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(_root, 8, 3));
        Assert.StartsWith($"image folder '{_root}': no images", e.Message);
    }

    [Fact]
    public void Unreadable_image_names_its_file()
    {
        WritePng(Path.Combine(_root, "c", "good.png"), 8, 8, (x, y) => SKColors.Gray);
        string bad = Path.Combine(_root, "c", "bad.jpg");
        File.WriteAllText(bad, "this is not a JPEG");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(_root, 8, 3));
        Assert.Contains($"'{bad}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static void WritePng(string path, int width, int height, Func<int, int, SKColor> color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, color(x, y));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
