using DiffusionLab.Imaging;
using DiffusionLab.Tests.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace DiffusionLab.Tests.Imaging;

/// <summary>The one image-file reader: every format, upright, RGB, and one line naming a file it cannot read whole.</summary>
public class ImageFileTests
{
    private readonly string _dir = TinyRuns.TempDir("imagefile");

    /// <summary>Four flat quadrants (red, green, blue, white): exact in palette and lossless formats.</summary>
    private static Image<Rgb24> Quadrants(int width = 12, int height = 10)
    {
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = (x < width / 2, y < height / 2) switch
                {
                    (true, true) => new Rgb24(255, 0, 0),
                    (false, true) => new Rgb24(0, 255, 0),
                    (true, false) => new Rgb24(0, 0, 255),
                    _ => new Rgb24(255, 255, 255),
                };
        return image;
    }

    /// <summary>A busy picture, so that every format's data runs over many bytes (a cut lands inside it).</summary>
    private static Image<Rgb24> Busy()
    {
        var image = new Image<Rgb24>(96, 64);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 96; x++)
                image[x, y] = new Rgb24((byte)(x * 37 ^ y * 11), (byte)(x * y), (byte)(x + 3 * y));
        return image;
    }

    private static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static readonly Dictionary<string, IImageEncoder> Encoders = new()
    {
        ["png"] = new PngEncoder(),
        ["jpg"] = new JpegEncoder { Quality = 95 },
        ["webp"] = new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        ["bmp"] = new BmpEncoder(),
        ["gif"] = new GifEncoder(),
    };

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A JPEG whose structure is whole but whose Huffman table is nonsense: the decoder itself refuses it.</summary>
    public static byte[] CorruptJpeg()
    {
        using var image = Quadrants(16, 16);
        var bytes = Encode(image, new JpegEncoder());
        int dht = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC4]);
        // The table's class/id byte, then its 16 code-length counts: 255 codes of length 1 cannot exist.
        for (int i = dht + 5; i < dht + 21; i++) bytes[i] = 0xFF;
        return bytes;
    }

    private static void AssertOneLineNaming(Exception e, string path, string fragment)
    {
        Assert.IsType<InvalidDataException>(e);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"image '{path}': unreadable (", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("bmp")]
    [InlineData("gif")]
    [InlineData("jpg")]
    public void EveryFormatLoadsTheSamePixels(string extension)
    {
        using var original = Quadrants();
        string path = Write($"q.{extension}", Encode(original, Encoders[extension]));
        using var loaded = ImageFile.Read(path);
        Assert.Equal((12, 10), (loaded.Width, loaded.Height));
        int tolerance = extension == "jpg" ? 40 : 0; // JPEG: chroma subsampling blurs the quadrant edges
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 12; x++)
            {
                Rgb24 a = original[x, y], b = loaded[x, y];
                Assert.True(Math.Abs(a.R - b.R) <= tolerance && Math.Abs(a.G - b.G) <= tolerance && Math.Abs(a.B - b.B) <= tolerance, $"{extension} ({x},{y}): {a} read as {b}");
            }
    }

    [Fact]
    public void AnExifRotatedJpegLoadsUpright()
    {
        // Stored 20 wide, 40 tall, red on top; orientation 6 says "rotate 90° clockwise to view": upright it is 40 x 20, red on the right.
        using var stored = new Image<Rgb24>(20, 40, new Rgb24(0, 0, 255));
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 20; x++)
                stored[x, y] = new Rgb24(255, 0, 0);
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        string path = Write("portrait.jpg", Encode(stored, new JpegEncoder { Quality = 95 }));

        using var upright = ImageFile.Read(path);
        Assert.Equal((40, 20), (upright.Width, upright.Height));
        Assert.True(upright[36, 10].R > 200 && upright[36, 10].B < 60, $"right edge {upright[36, 10]}, expected red");
        Assert.True(upright[3, 10].B > 200 && upright[3, 10].R < 60, $"left edge {upright[3, 10]}, expected blue");
        using var tensor = ImageFile.ReadTensor(path, 3);
        Assert.Equal(new long[] { 3, 20, 40 }, tensor.shape);
    }

    [Fact]
    public void GreyAndRgbaPngsLoadAsRgb()
    {
        using var grey = new Image<L8>(5, 3);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                grey[x, y] = new L8((byte)(50 * x + y));
        string greyPath = Write("grey.png", Encode(grey, new PngEncoder { ColorType = PngColorType.Grayscale }));
        using (var rgb = ImageFile.Read(greyPath))
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 5; x++)
                    Assert.Equal(new Rgb24((byte)(50 * x + y), (byte)(50 * x + y), (byte)(50 * x + y)), rgb[x, y]);
        using (var tensor = ImageFile.ReadTensor(greyPath, 3))
        {
            Assert.Equal(new long[] { 3, 3, 5 }, tensor.shape);
            Assert.True(tensor[0].equal(tensor[1]).all().item<bool>() && tensor[1].equal(tensor[2]).all().item<bool>());
        }

        // Transparency is composited on white: (c·a + 255·(255 − a)) / 255.
        using var rgba = new Image<Rgba32>(3, 1);
        rgba[0, 0] = new Rgba32(255, 0, 0, 128);
        rgba[1, 0] = new Rgba32(0, 0, 255, 0);
        rgba[2, 0] = new Rgba32(10, 20, 30, 255);
        string rgbaPath = Write("rgba.png", Encode(rgba, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }));
        using var onWhite = ImageFile.Read(rgbaPath);
        Assert.Equal(new Rgb24(255, 127, 127), onWhite[0, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), onWhite[1, 0]);
        Assert.Equal(new Rgb24(10, 20, 30), onWhite[2, 0]);
        using var greyTensor = ImageFile.ReadTensor(rgbaPath, 1);
        Assert.Equal(new long[] { 1, 1, 3 }, greyTensor.shape);
    }

    [Theory]
    [InlineData("png", 0.9)]
    [InlineData("png", 0.5)]
    [InlineData("png", 0.999)]
    [InlineData("jpg", 0.6)]
    [InlineData("jpg", 0.99)]
    [InlineData("webp", 0.6)]
    [InlineData("bmp", 0.6)]
    [InlineData("gif", 0.6)]
    [InlineData("gif", 0.999)]
    public void ATruncatedFileIsOneLineNamingIt(string extension, double kept)
    {
        using var image = Busy();
        var whole = Encode(image, Encoders[extension]);
        string path = Write($"cut.{extension}", whole[..(int)(whole.Length * kept)]);
        AssertOneLineNaming(Assert.ThrowsAny<Exception>(() => ImageFile.Read(path)), path, "truncated");
    }

    [Fact]
    public void ACorruptJpegIsOneLineNamingIt()
    {
        string path = Write("corrupt.jpg", CorruptJpeg());
        AssertOneLineNaming(Assert.ThrowsAny<Exception>(() => ImageFile.Read(path)), path, "corrupt JPEG data");
    }

    [Fact]
    public void NotAnImageIsOneLineNamingIt()
    {
        string text = Write("notes.png", "this is not a png"u8.ToArray());
        AssertOneLineNaming(Assert.ThrowsAny<Exception>(() => ImageFile.Read(text)), text, "not a PNG, JPEG, WebP, BMP or GIF image");
        string empty = Write("empty.jpg", []);
        AssertOneLineNaming(Assert.ThrowsAny<Exception>(() => ImageFile.Read(empty)), empty, "not a PNG, JPEG, WebP, BMP or GIF image");
        string missing = Path.Combine(_dir, "missing.png");
        Assert.Equal($"image '{missing}': not found", Assert.Throws<FileNotFoundException>(() => ImageFile.Read(missing)).Message);
    }

    [Theory]
    [InlineData("clip.gif")]
    [InlineData("clip.webp")]
    public void AnAnimationLoadsItsFirstFrame(string name)
    {
        using var first = Quadrants(16, 8);
        using var second = new Image<Rgb24>(16, 8, new Rgb24(0, 0, 0));
        string path = Path.Combine(_dir, name);
        AnimatedImageFile.Save([first, second], path);
        using var loaded = ImageFile.Read(path);
        Assert.Equal((16, 8), (loaded.Width, loaded.Height));
        Assert.Equal(new Rgb24(255, 0, 0), loaded[0, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), loaded[15, 7]);
    }
}
