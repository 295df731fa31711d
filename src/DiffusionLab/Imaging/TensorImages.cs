using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Imaging;

/// <summary>
/// Converts between image tensors in [−1,1] ((C,H,W), C = 1 grey or 3 RGB) and encoded images.
/// Grey level k ∈ 0..255 maps to k/127.5 − 1, so a PNG → tensor → PNG round trip is exact.
/// </summary>
public static class TensorImages
{
    /// <summary>Encodes one image (C,H,W) or (1,C,H,W) in [−1,1] as PNG; values outside are clamped.</summary>
    public static byte[] ToPng(Tensor image)
    {
        using var bitmap = ToBitmap(image);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    /// <summary>Encodes each image of a batch (N,C,H,W) as its own PNG.</summary>
    public static IReadOnlyList<byte[]> ToPngs(Tensor images)
    {
        if (images.dim() != 4) throw new ArgumentException($"images: expected (N,C,H,W), got [{string.Join(", ", images.shape)}]");
        var result = new List<byte[]>();
        for (long i = 0; i < images.shape[0]; i++)
        {
            using var one = images[i];
            result.Add(ToPng(one));
        }
        return result;
    }

    /// <summary>Decodes an encoded image (PNG, JPEG, WebP, BMP, GIF; see <see cref="ImageFile"/>) to (channels,H,W) in [−1,1].</summary>
    public static Tensor FromPng(byte[] encoded, int channels)
    {
        using var image = ImageFile.Decode(encoded, "encoded image");
        return FromImage(image, channels);
    }

    /// <summary>
    /// (channels,H,W) in [−1,1] from an RGB image. Grey uses the ITU-R 601-2 luma that PIL's convert("L")
    /// uses, so grey images read the same as in the Python reference pipelines.
    /// </summary>
    public static Tensor FromImage(Image<Rgb24> image, int channels)
    {
        if (channels != 1 && channels != 3) throw new ArgumentOutOfRangeException(nameof(channels), $"channels {channels}: expected 1 (grey) or 3 (RGB)");
        int w = image.Width, h = image.Height;
        var bytes = new byte[w * h * 3];
        image.CopyPixelDataTo(bytes);
        using var scope = torch.NewDisposeScope();
        var hwc = torch.tensor(bytes, new long[] { h, w, 3 }).to(ScalarType.Int32);
        Tensor levels = channels == 3
            ? hwc.permute(2, 0, 1)
            : (hwc.select(2, 0) * 299 + hwc.select(2, 1) * 587 + hwc.select(2, 2) * 114 + 500).div(1000, rounding_mode: RoundingMode.floor).unsqueeze(0);
        return levels.to(ScalarType.Float32).div(127.5).sub(1.0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>An RGB image of (C,H,W) or (1,C,H,W) in [−1,1] (values outside are clamped; grey is repeated into R, G and B).</summary>
    public static Image<Rgb24> ToImage(Tensor image)
    {
        if (image.dim() == 4 && image.shape[0] == 1) image = image[0];
        if (image.dim() != 3 || (image.shape[0] != 1 && image.shape[0] != 3))
            throw new ArgumentException($"image: expected (C,H,W) or (1,C,H,W) with C = 1 or 3, got [{string.Join(", ", image.shape)}]");
        int h = (int)image.shape[1], w = (int)image.shape[2];
        byte[] bytes;
        using (torch.NewDisposeScope())
        {
            var levels = image.detach().cpu().to(ScalarType.Float32).add(1.0).mul(127.5).round().clamp(0, 255).to(ScalarType.Byte);
            bytes = levels.expand(3, h, w).permute(1, 2, 0).contiguous().data<byte>().ToArray();
        }
        return SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(bytes, w, h);
    }

    /// <summary>A bitmap (Gray8 for one channel, opaque RGBA for three) of (C,H,W) or (1,C,H,W) in [−1,1].</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        if (image.dim() == 4 && image.shape[0] == 1) image = image[0];
        if (image.dim() != 3 || (image.shape[0] != 1 && image.shape[0] != 3))
            throw new ArgumentException($"image: expected (C,H,W) or (1,C,H,W) with C = 1 or 3, got [{string.Join(", ", image.shape)}]");
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        byte[] bytes;
        using (torch.NewDisposeScope())
        {
            var levels = image.detach().cpu().to(ScalarType.Float32).add(1.0).mul(127.5).round().clamp(0, 255).to(ScalarType.Byte);
            if (c == 3)
                levels = torch.cat(new[] { levels, torch.full(1, h, w, 255, ScalarType.Byte) }, 0);
            bytes = levels.permute(1, 2, 0).contiguous().data<byte>().ToArray();
        }
        var info = c == 1
            ? new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var bitmap = new SKBitmap(info);
        IntPtr pixels = bitmap.GetPixels();
        int rowBytes = w * (c == 1 ? 1 : 4);
        for (int row = 0; row < h; row++)
            Marshal.Copy(bytes, row * rowBytes, pixels + row * bitmap.RowBytes, rowBytes);
        return bitmap;
    }
}
