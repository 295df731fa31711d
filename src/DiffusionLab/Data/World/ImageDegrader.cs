using System.Runtime.InteropServices;
using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>Applies an <see cref="ImageDegradation"/> to RGB bytes: Skia for resampling and blur, a seeded loop for noise.</summary>
internal static class ImageDegrader
{
    public static byte[] Apply(byte[] rgb, int size, ImageDegradation degradation, WorldRandom rng)
    {
        degradation.Validate();
        if (degradation.IsNone) return (byte[])rgb.Clone();
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var rgba = new byte[size * size * 4];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgba[i] = rgb[j];
            rgba[i + 1] = rgb[j + 1];
            rgba[i + 2] = rgb[j + 2];
            rgba[i + 3] = 255;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);

        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"SkiaSharp could not create a {size}x{size} surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);
        using var paint = new SKPaint();
        if (degradation.BlurSigma > 0)
            paint.ImageFilter = SKImageFilter.CreateBlur((float)degradation.BlurSigma, (float)degradation.BlurSigma, SKShaderTileMode.Clamp);
        int small = Math.Max(1, size / degradation.DownsampleFactor);
        using var image = SKImage.FromBitmap(bitmap);
        if (small < size)
        {
            // Mipmaps average blocks on the way down (a box filter); bilinear brings it back up.
            using var low = SKSurface.Create(new SKImageInfo(small, small, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"SkiaSharp could not create a {small}x{small} surface");
            low.Canvas.DrawImage(image, SKRect.Create(0, 0, small, small), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            using var lowImage = low.Snapshot();
            canvas.DrawImage(lowImage, SKRect.Create(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        }
        else canvas.DrawImage(image, SKRect.Create(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None), paint);
        canvas.Flush();
        surface.ReadPixels(info, bitmap.GetPixels(), info.RowBytes, 0, 0);
        Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);

        var result = new byte[rgb.Length];
        double std = degradation.NoiseStd;
        for (int i = 0, j = 0; j < result.Length; i += 4, j += 3)
            for (int k = 0; k < 3; k++)
            {
                double v = rgba[i + k] + (std > 0 ? std * rng.Gaussian() : 0);
                result[j + k] = (byte)Math.Clamp(Math.Round(v), 0, 255);
            }
        return result;
    }
}
