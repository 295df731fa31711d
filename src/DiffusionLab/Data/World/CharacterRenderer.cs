using System.Runtime.InteropServices;
using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>
/// Draws one character into reusable Skia surfaces: a colour pass (scene, then person) and a mask
/// pass (the person's silhouette with the same geometry, white on black; every pixel with any
/// coverage becomes 255, so no pixel outside the mask carries any of the person). Drawing happens
/// in a 100×100 unit square scaled to the pixel size, so every size shows the same picture. The
/// painters (<see cref="BackgroundPainter"/>, <see cref="BodyPainter"/>, <see cref="HeadPainter"/>
/// and those it calls) draw with this renderer's <see cref="PaintKit"/>. Not thread-safe: one
/// renderer per thread.
/// </summary>
internal sealed class CharacterRenderer : IDisposable
{
    /// <summary>Side of the square every painter draws in, whatever the pixel size.</summary>
    internal const float Units = 100f;

    private readonly int _size;
    private readonly IntPtr _colorPixels, _maskPixels;
    private readonly SKSurface _colorSurface, _maskSurface;
    private readonly byte[] _rgba;
    private readonly PaintKit _kit = new();

    public CharacterRenderer(int size)
    {
        _size = size;
        _colorPixels = Marshal.AllocHGlobal(size * size * 4);
        _maskPixels = Marshal.AllocHGlobal(size * size);
        _colorSurface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul), _colorPixels, size * 4)
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {size}x{size} RGBA surface");
        _maskSurface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Alpha8, SKAlphaType.Premul), _maskPixels, size)
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {size}x{size} alpha surface");
        _rgba = new byte[size * size * 4];
    }

    public int Size => _size;

    /// <summary>Pixels (H·W·3 RGB) and mask (H·W, 0 background / 255 person).</summary>
    public (byte[] Pixels, byte[] Mask) Render(in CharacterScene scene)
    {
        var canvas = _colorSurface.Canvas;
        _kit.Silhouette = false;
        canvas.Save();
        canvas.Scale(_size / Units);
        BackgroundPainter.Draw(canvas, _kit, scene);
        DrawPerson(canvas, scene);
        canvas.Restore();
        canvas.Flush();

        var mask = _maskSurface.Canvas;
        _kit.Silhouette = true;
        mask.Clear(SKColors.Transparent);
        mask.Save();
        mask.Scale(_size / Units);
        DrawPerson(mask, scene);
        mask.Restore();
        mask.Flush();

        int n = _size * _size;
        Marshal.Copy(_colorPixels, _rgba, 0, n * 4);
        var rgb = new byte[n * 3];
        for (int i = 0, j = 0; i < n * 4; i += 4, j += 3)
        {
            rgb[j] = _rgba[i];
            rgb[j + 1] = _rgba[i + 1];
            rgb[j + 2] = _rgba[i + 2];
        }
        var maskBytes = new byte[n];
        Marshal.Copy(_maskPixels, maskBytes, 0, n);
        // Any coverage counts: a pixel the person touches at all is not pure background.
        for (int i = 0; i < n; i++) maskBytes[i] = maskBytes[i] == 0 ? (byte)0 : (byte)255;
        return (rgb, maskBytes);
    }

    /// <summary>The person in both passes: body, then the head turned and tilted about the neck.</summary>
    private void DrawPerson(SKCanvas c, in CharacterScene s)
    {
        var t = s.Traits;
        bool child = t.IsChild;
        c.Save();
        c.Translate(50f + (float)s.OffsetX, 100f + (float)s.OffsetY);
        c.Scale((float)(s.Scale * (child ? 0.86 : 1.0)));
        BodyPainter.Draw(c, _kit, s);
        c.Save();
        c.RotateDegrees((float)s.Roll, 0, -26f);
        c.Translate(0, -56f);
        if (child) c.Scale(1.12f);
        HeadPainter.Draw(c, _kit, s);
        c.Restore();
        c.Restore();
    }

    public void Dispose()
    {
        _colorSurface.Dispose();
        _maskSurface.Dispose();
        _kit.Dispose();
        Marshal.FreeHGlobal(_colorPixels);
        Marshal.FreeHGlobal(_maskPixels);
    }
}
