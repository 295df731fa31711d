using DiffusionLab.Data;
using SkiaSharp;

namespace DiffusionLab.Tests.Data;

public sealed class ImageCaptionFolderDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"difflab-imagecaption-{Guid.NewGuid():N}");

    public ImageCaptionFolderDatasetTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Loads_identities_captions_and_class_word_spans()
    {
        Write("bob/2.png", "a photo of a man on a bike", 24, 16, SKColors.Blue);
        Write("bob/1.jpg", "A Man smiling", 16, 16, SKColors.Blue);
        Write("alice/a.png", "a photo of a woman\nin a hat", 16, 40, SKColors.Red);
        Write("solo.webp", "a dog on the grass", 16, 16, SKColors.Lime);
        Write("again.png", "someone, a person maybe", 16, 16, SKColors.White);
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        File.WriteAllText(Path.Combine(_root, "bob", "notes.txt"), "a caption file without an image is ignored");

        using var data = ImageCaptionFolderDataset.Load(_root, 8);
        Assert.Equal(new[] { "alice", "bob", "again.png", "solo.webp" }, data.IdentityNames);
        Assert.Equal(5, data.Count);
        Assert.Equal(new[] { 0, 1, 1, 2, 3 }, Enumerable.Range(0, 5).Select(i => data.IdentityOf(i)));
        Assert.Equal(new[] { "a.png", "1.jpg", "2.png", "again.png", "solo.webp" }, data.Files.Select(Path.GetFileName));
        Assert.Equal("a photo of a woman in a hat", data.Captions[0]);
        // "woman" is found whole, not the "man" inside it; case does not matter; no class word -> no span.
        Assert.Equal("woman", data.ClassWordSpans[0]!.Value.Of(data.Captions[0]));
        Assert.Equal("Man", data.ClassWordSpans[1]!.Value.Of(data.Captions[1]));
        Assert.Equal("person", data.ClassWordSpans[3]!.Value.Of(data.Captions[3]));
        Assert.Null(data.ClassWordSpans[4]);

        using var batch = data.GetBatch([4, 0, 2]);
        Assert.Equal(new long[] { 3, 3, 8, 8 }, batch.Images.shape);
        Assert.Equal(new long[] { 3, 1, 8, 8 }, batch.Masks.shape);
        Assert.True(batch.Masks.eq(1).all().item<bool>());
        Assert.Equal(new long[] { 3, 0, 1 }, batch.IdentityIds.data<long>().ToArray());
        Assert.Equal(new[] { data.Captions[4], data.Captions[0], data.Captions[2] }, batch.Captions);
        Assert.Null(batch.ClassWordSpans[0]);
        Assert.Empty(batch.FactorLabels);
        // Colours survive the centre crop: green, then red, then blue (R, G, B channels in [-1, 1]).
        Assert.True(batch.Images[0, 1].gt(0.9f).all().item<bool>());
        Assert.True(batch.Images[1, 0].gt(0.9f).all().item<bool>());
        Assert.True(batch.Images[2, 2].gt(0.9f).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.GetBatch([5]));
    }

    [Fact]
    public void Missing_folder_names_the_path()
    {
        string missing = Path.Combine(_root, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageCaptionFolderDataset.Load(missing, 8));
        Assert.Equal($"image-caption folder '{missing}': not found", e.Message);
    }

    [Fact]
    public void Empty_folder_is_an_error()
    {
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "sub", "a.txt"), "a man");
        var e = Assert.Throws<InvalidDataException>(() => ImageCaptionFolderDataset.Load(_root, 8));
        Assert.StartsWith($"image-caption folder '{_root}': no images", e.Message);
    }

    [Fact]
    public void Image_without_caption_names_both_files()
    {
        Write("a/1.png", "a man", 8, 8, SKColors.Gray);
        string image = Path.Combine(_root, "a", "2.png");
        WritePng(image, 8, 8, SKColors.Gray);
        var e = Assert.Throws<FileNotFoundException>(() => ImageCaptionFolderDataset.Load(_root, 8));
        Assert.Contains($"'{image}'", e.Message);
        Assert.Contains($"'{Path.ChangeExtension(image, ".txt")}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Unreadable_image_names_its_file()
    {
        Write("a/good.png", "a man", 8, 8, SKColors.Gray);
        string bad = Path.Combine(_root, "a", "bad.jpg");
        File.WriteAllText(bad, "this is not a JPEG");
        File.WriteAllText(Path.ChangeExtension(bad, ".txt"), "a woman");
        var e = Assert.Throws<InvalidDataException>(() => ImageCaptionFolderDataset.Load(_root, 8));
        Assert.Contains($"'{bad}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Empty_caption_is_an_error()
    {
        Write("x.png", "  \n ", 8, 8, SKColors.Gray);
        var e = Assert.Throws<InvalidDataException>(() => ImageCaptionFolderDataset.Load(_root, 8));
        Assert.Contains("x.txt", e.Message);
        Assert.Contains("empty", e.Message);
    }

    private void Write(string relative, string caption, int width, int height, SKColor color)
    {
        string path = Path.Combine(_root, relative);
        WritePng(path, width, height, color);
        File.WriteAllText(Path.ChangeExtension(path, ".txt"), caption);
    }

    /// <summary>Writes a solid image in the format its extension names (PNG, JPEG or WEBP).</summary>
    private static void WritePng(string path, int width, int height, SKColor color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(color);
        var format = Path.GetExtension(path) switch
        {
            ".jpg" => SKEncodedImageFormat.Jpeg,
            ".webp" => SKEncodedImageFormat.Webp,
            _ => SKEncodedImageFormat.Png,
        };
        using var data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
