using DiffusionLab.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
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
                    .Where(f => ImageFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
                foreach (var file in files)
                {
                    images.Add(LoadOne(file, imageSize, channels));
                    labels.Add(label);
                }
            }
            if (images.Count == 0)
                throw new InvalidDataException($"image folder '{folder}': no images ({string.Join(" ", ImageFile.Extensions)}) in its class sub-folders");
            var names = classDirs.Select(d => Path.GetFileName(d)!).ToArray();
            return new LabeledImages(torch.stack(images), torch.tensor(labels.ToArray()), names.Length, names);
        }
        finally
        {
            foreach (var t in images) t.Dispose();
        }
    }

    /// <summary>One image file (<see cref="ImageFile"/>: upright, alpha on white), center-cropped to <paramref name="imageSize"/>².</summary>
    internal static Tensor LoadOne(string file, int imageSize, int channels)
    {
        using var image = ImageFile.Read(file);
        CenterCrop(image, imageSize);
        return TensorImages.FromImage(image, channels).DetachFromDisposeScope();
    }

    /// <summary>
    /// ADM: halve with a box filter while the short side is ≥ 2·size (so the bicubic step never aliases), resize the
    /// short side to size with bicubic (a = −0.5, PIL's BICUBIC), then crop the center.
    /// </summary>
    private static void CenterCrop(Image<Rgb24> image, int size)
    {
        while (Math.Min(image.Width, image.Height) >= 2 * size)
            image.Mutate(x => x.Resize(image.Width / 2, image.Height / 2, KnownResamplers.Box));
        double scale = (double)size / Math.Min(image.Width, image.Height);
        int w = Math.Max(size, (int)Math.Round(image.Width * scale)), h = Math.Max(size, (int)Math.Round(image.Height * scale));
        image.Mutate(x => x.Resize(w, h, KnownResamplers.Bicubic).Crop(new Rectangle((w - size) / 2, (h - size) / 2, size, size)));
    }
}
