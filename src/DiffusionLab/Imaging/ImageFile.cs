using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace DiffusionLab.Imaging;

/// <summary>
/// THE reader of image files (data sets, reference photos): PNG, JPEG, WebP, BMP and GIF, decoded by ImageSharp into
/// upright, opaque 8-bit RGB. EXIF orientation is applied (a phone's portrait JPEG is stored landscape); transparency
/// is composited on white (a cut-out subject on white, as a photo of it would be); grey is expanded to R = G = B; an
/// animation gives its first frame. A file that is not an image, is corrupt or is cut short is an
/// <see cref="InvalidDataException"/> of one line naming the file: decoders fill a truncated file's missing rows
/// silently, so the container is checked to be whole first (<see cref="ImageFileCompleteness"/>).
/// </summary>
public static class ImageFile
{
    /// <summary>The file extensions read (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"];

    private static readonly HashSet<string> Formats = ["PNG", "JPEG", "Webp", "BMP", "GIF"];

    /// <summary>The upright RGB image of <paramref name="path"/>; the caller disposes it.</summary>
    public static Image<Rgb24> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image '{path}': not found", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>(channels,H,W) in [−1,1] of <paramref name="path"/> (1: ITU-R 601 luma, 3: RGB).</summary>
    public static Tensor ReadTensor(string path, int channels)
    {
        using var image = Read(path);
        return TensorImages.FromImage(image, channels);
    }

    /// <summary>The upright RGB image of encoded bytes; <paramref name="name"/> (a path) names them in errors.</summary>
    public static Image<Rgb24> Decode(byte[] encoded, string name)
    {
        IImageFormat? format = encoded.Length == 0 ? null : Image.DetectFormat(encoded);
        if (format is null || !Formats.Contains(format.Name))
            throw Unreadable(name, format is null ? "not a PNG, JPEG, WebP, BMP or GIF image" : $"a {format.Name} image; expected PNG, JPEG, WebP, BMP or GIF");
        if (ImageFileCompleteness.Problem(encoded, format.Name) is { } problem) throw Unreadable(name, problem);
        var frame = format.Name == "Webp" ? WebpContainer.FirstFrame(encoded) : null;
        Image<Rgba32> image;
        try { image = Image.Load<Rgba32>(frame?.Still ?? encoded); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ImageFormatException for bad content; decoders throw others on hostile bytes, which mean the same here.
            throw Unreadable(name, $"corrupt {format.Name} data: {e.Message.Split('\n')[0].Trim().TrimEnd('.')}");
        }
        using (image)
        {
            if (image.Frames.Count > 1)
            {
                using var first = image.Frames.CloneFrame(0);
                return Finish(first, frame);
            }
            return Finish(image, frame);
        }
    }

    private static Image<Rgb24> Finish(Image<Rgba32> image, WebpFrame? frame)
    {
        image.Mutate(x => x.AutoOrient());
        var rgb = new Image<Rgb24>(frame?.CanvasWidth ?? image.Width, frame?.CanvasHeight ?? image.Height, new Rgb24(255, 255, 255));
        int left = frame?.X ?? 0, top = frame?.Y ?? 0;
        image.ProcessPixelRows(rgb, (source, target) =>
        {
            for (int y = 0; y < source.Height; y++)
            {
                var from = source.GetRowSpan(y);
                var to = target.GetRowSpan(top + y).Slice(left, source.Width);
                for (int x = 0; x < from.Length; x++)
                {
                    var p = from[x];
                    int a = p.A, white = 255 * (255 - a);
                    // Over white, rounded: (c·a + 255·(255 − a)) / 255.
                    to[x] = new Rgb24((byte)((p.R * a + white + 127) / 255), (byte)((p.G * a + white + 127) / 255), (byte)((p.B * a + white + 127) / 255));
                }
            }
        });
        return rgb;
    }

    private static InvalidDataException Unreadable(string name, string reason) => new($"image '{name}': unreadable ({reason})");
}
