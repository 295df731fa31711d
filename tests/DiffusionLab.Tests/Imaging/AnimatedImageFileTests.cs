using DiffusionLab.Imaging;
using DiffusionLab.Tests.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;
using TorchSharp;

namespace DiffusionLab.Tests.Imaging;

/// <summary>
/// Clips round-trip their frame count, size, delays and play count. GIFs are read back by ImageSharp; WebPs by
/// SkiaSharp's libwebp, a decoder independent of the container code that wrote them.
/// </summary>
public class AnimatedImageFileTests
{
    private readonly string _dir = TinyRuns.TempDir("animation");

    private static readonly Rgb24[] Colors = [new(255, 0, 0), new(0, 255, 0), new(0, 0, 255), new(255, 255, 255), new(0, 0, 0)];

    private static List<Image<Rgb24>> Frames() => Colors.Select(c => new Image<Rgb24>(24, 16, c)).ToList();

    [Theory]
    [InlineData(0, 0)]   // forever: loop count 0
    [InlineData(3, 2)]   // three plays: the first and two repeats
    [InlineData(2, 1)]
    public void AGifRoundTripsItsFramesSizeDelaysAndLoop(int plays, int repeats)
    {
        var frames = Frames();
        string path = Path.Combine(_dir, $"clip-{plays}.gif");
        var delays = new[] { 70, 70, 500, 70, 120 }.Select(ms => TimeSpan.FromMilliseconds(ms)).ToList();
        AnimatedImageFile.Save(frames, path, new AnimationSettings { FrameDelays = delays, Plays = plays });
        frames.ForEach(f => f.Dispose());

        using var gif = Image.Load<Rgb24>(path);
        Assert.Equal(5, gif.Frames.Count);
        Assert.Equal((24, 16), (gif.Width, gif.Height));
        Assert.Equal(new[] { 7, 7, 50, 7, 12 }, gif.Frames.Cast<ImageFrame<Rgb24>>().Select(f => f.Metadata.GetGifMetadata().FrameDelay));
        Assert.Equal(repeats, gif.Metadata.GetGifMetadata().RepeatCount);
        for (int i = 0; i < 5; i++) Assert.Equal(Colors[i], gif.Frames[i][5, 5]);
    }

    [Fact]
    public void AGifThatPlaysOnceHasNoLoopBlock()
    {
        var frames = Frames();
        string path = Path.Combine(_dir, "once.gif");
        AnimatedImageFile.Save(frames, path, new AnimationSettings { Plays = 1 });
        frames.ForEach(f => f.Dispose());
        Assert.Equal(-1, File.ReadAllBytes(path).AsSpan().IndexOf("NETSCAPE2.0"u8));
        using var gif = Image.Load<Rgb24>(path);
        Assert.Equal(5, gif.Frames.Count);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(3, true)]
    [InlineData(0, false)]
    public void AWebpRoundTripsItsFramesSizeDelaysAndLoop(int plays, bool lossless)
    {
        var frames = Frames();
        string path = Path.Combine(_dir, $"clip-{plays}-{lossless}.webp");
        var delays = new[] { 40, 40, 1000, 40, 250 }.Select(ms => TimeSpan.FromMilliseconds(ms)).ToList();
        AnimatedImageFile.Save(frames, path, new AnimationSettings { FrameDelays = delays, Plays = plays, Lossless = lossless });
        frames.ForEach(f => f.Dispose());

        using var data = SKData.Create(path);
        using var codec = SKCodec.Create(data);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Webp, codec.EncodedFormat);
        Assert.Equal(5, codec.FrameCount);
        Assert.Equal((24, 16), (codec.Info.Width, codec.Info.Height));
        Assert.Equal(new[] { 40, 40, 1000, 40, 250 }, codec.FrameInfo.Select(f => f.Duration));
        // Skia counts repeats after the first play, −1 for forever.
        Assert.Equal(plays == 0 ? -1 : plays - 1, codec.RepetitionCount);
        var info = new SKImageInfo(24, 16, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int i = 0; i < 5; i++)
        {
            using var bitmap = new SKBitmap(info);
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, bitmap.GetPixels(), new SKCodecOptions(i)));
            var pixel = bitmap.GetPixel(5, 5);
            int tolerance = lossless ? 0 : 8;
            Assert.True(Math.Abs(pixel.Red - Colors[i].R) <= tolerance && Math.Abs(pixel.Green - Colors[i].G) <= tolerance && Math.Abs(pixel.Blue - Colors[i].B) <= tolerance,
                $"frame {i}: {pixel}, expected {Colors[i]}");
        }
    }

    [Theory]
    [InlineData("clip.gif")]
    [InlineData("clip.webp")]
    public void TensorFramesAreWritten(string name)
    {
        // (T, 1, H, W) grey in [−1, 1]: a fade from black to white.
        using var frames = torch.linspace(-1, 1, 4).view(4, 1, 1, 1).expand(4, 1, 8, 6).contiguous();
        string path = Path.Combine(_dir, name);
        AnimatedImageFile.Save(frames, path, new AnimationSettings { FrameDelay = TimeSpan.FromMilliseconds(50) });
        using var first = ImageFile.Read(path);
        Assert.Equal((6, 8), (first.Width, first.Height));
        Assert.Equal(new Rgb24(0, 0, 0), first[0, 0]);
    }

    [Fact]
    public void BadClipsAreRefused()
    {
        var frames = Frames();
        Assert.Contains("one per frame", Assert.Throws<ArgumentException>(() =>
            AnimatedImageFile.Save(frames, Path.Combine(_dir, "a.gif"), new AnimationSettings { FrameDelays = [TimeSpan.FromSeconds(1)] })).Message);
        Assert.Contains("expected a .gif or .webp", Assert.Throws<ArgumentException>(() => AnimatedImageFile.Save(frames, Path.Combine(_dir, "a.png"))).Message);
        using var other = new Image<Rgb24>(8, 8);
        Assert.Contains("expected one size", Assert.Throws<ArgumentException>(() => AnimatedImageFile.Save([frames[0], other], Path.Combine(_dir, "a.webp"))).Message);
        Assert.Contains("Plays", Assert.Throws<ArgumentException>(() => AnimatedImageFile.Save(frames, Path.Combine(_dir, "a.gif"), new AnimationSettings { Plays = -1 })).Message);
        Assert.Empty(Directory.GetFiles(_dir));
        frames.ForEach(f => f.Dispose());
    }
}
