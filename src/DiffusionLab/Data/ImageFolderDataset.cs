using DiffusionLab.Imaging;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// Loads a folder laid out as <c>folder/&lt;class&gt;/&lt;image&gt;</c> (class = sub-folder name, classes
/// sorted ordinally) into memory, every image center-cropped to <c>imageSize</c>² as in ADM's
/// <c>center_crop_arr</c> (guided-diffusion image_datasets.py, also used by DiT and MDT).
/// </summary>
public static class ImageFolderDataset
{
    internal static readonly string[] Extensions = { ".png", ".jpg", ".jpeg", ".bmp", ".webp" };

    public static LabeledImages Load(string folder, int imageSize, int channels)
    {
        if (imageSize < 1) throw new ArgumentOutOfRangeException(nameof(imageSize), $"imageSize {imageSize}: expected >= 1");
        if (channels != 1 && channels != 3) throw new ArgumentOutOfRangeException(nameof(channels), $"channels {channels}: expected 1 (grey) or 3 (RGB)");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"image folder '{folder}': not found");
        // Hidden folders (.git, .ipynb_checkpoints) are tool droppings, not classes.
        var classDirs = Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0) throw new InvalidDataException($"image folder '{folder}': no class sub-folders");

        var images = new List<Tensor>();
        var labels = new List<long>();
        try
        {
            for (int label = 0; label < classDirs.Length; label++)
            {
                var files = Directory.GetFiles(classDirs[label])
                    .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
                foreach (var file in files)
                {
                    images.Add(LoadOne(file, imageSize, channels));
                    labels.Add(label);
                }
            }
            if (images.Count == 0)
                throw new InvalidDataException($"image folder '{folder}': no images ({string.Join(" ", Extensions)}) in its class sub-folders");
            var names = classDirs.Select(d => Path.GetFileName(d)!).ToArray();
            return new LabeledImages(torch.stack(images), torch.tensor(labels.ToArray()), names.Length, names);
        }
        finally
        {
            foreach (var t in images) t.Dispose();
        }
    }

    internal static Tensor LoadOne(string file, int imageSize, int channels)
    {
        using var decoded = TensorImages.Decode(File.ReadAllBytes(file))
            ?? throw new InvalidDataException($"image '{file}': unreadable (not a PNG, JPEG, BMP or WEBP image)");
        using var cropped = CenterCrop(decoded, imageSize);
        return TensorImages.FromBitmap(cropped, channels).DetachFromDisposeScope();
    }

    /// <summary>
    /// ADM: halve with a box filter while the short side is ≥ 2·size (so the bicubic step never
    /// aliases), resize the short side to size with bicubic (Catmull-Rom, PIL's BICUBIC), then crop
    /// the center.
    /// </summary>
    private static SKBitmap CenterCrop(SKBitmap source, int size)
    {
        var current = source.Copy();
        while (Math.Min(current.Width, current.Height) >= 2 * size)
            current = Replace(current, current.Resize(new SKImageInfo(current.Width / 2, current.Height / 2, SKColorType.Rgba8888, SKAlphaType.Unpremul),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)));
        double scale = (double)size / Math.Min(current.Width, current.Height);
        int w = Math.Max(size, (int)Math.Round(current.Width * scale)), h = Math.Max(size, (int)Math.Round(current.Height * scale));
        current = Replace(current, current.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul),
            new SKSamplingOptions(SKCubicResampler.CatmullRom)));
        var cropped = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (!current.ExtractSubset(cropped, SKRectI.Create((w - size) / 2, (h - size) / 2, size, size)))
            throw new InvalidOperationException($"center crop of a {w}x{h} image to {size} failed");
        // ExtractSubset shares pixels with its source, so copy before the source goes away.
        var owned = cropped.Copy();
        cropped.Dispose();
        current.Dispose();
        return owned;
    }

    private static SKBitmap Replace(SKBitmap old, SKBitmap? resized)
    {
        old.Dispose();
        return resized ?? throw new InvalidOperationException("SkiaSharp could not resize the image");
    }
}
