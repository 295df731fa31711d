using System.Runtime.InteropServices;
using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Draws one character into reusable Skia surfaces: a colour pass (scene, then person) and a mask
/// pass (the person's silhouette with the same geometry, white on black; every pixel with any
/// coverage becomes 255, so no pixel outside the mask carries any of the person). Drawing happens in a 100×100 unit square scaled to the pixel size, so
/// every size shows the same picture. Not thread-safe: one renderer per thread.
/// </summary>
internal sealed class CharacterRenderer : IDisposable
{
    private const float Units = 100f;

    private readonly int _size;
    private readonly IntPtr _colorPixels, _maskPixels;
    private readonly SKSurface _colorSurface, _maskSurface;
    private readonly byte[] _rgba;
    private readonly SKPaint _fill = new() { Style = SKPaintStyle.Fill, IsAntialias = true };
    private readonly SKPaint _stroke = new() { Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round, IsAntialias = true };
    private readonly SKPath _path = new(), _path2 = new(), _headPath = new();
    private bool _silhouette;

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
        _silhouette = false;
        canvas.Save();
        canvas.Scale(_size / Units);
        DrawBackground(canvas, scene);
        DrawPerson(canvas, scene);
        canvas.Restore();
        canvas.Flush();

        var mask = _maskSurface.Canvas;
        _silhouette = true;
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

    // ---- paints -------------------------------------------------------------------------------

    private SKPaint Fill(SKColor color)
    {
        _fill.Color = _silhouette ? SKColors.White : color;
        return _fill;
    }

    private SKPaint Stroke(SKColor color, float width)
    {
        _stroke.Color = _silhouette ? SKColors.White : color;
        _stroke.StrokeWidth = width;
        return _stroke;
    }

    // ---- background (colour pass only) ---------------------------------------------------------

    private void DrawBackground(SKCanvas c, in CharacterScene s)
    {
        var rng = WorldRandom.For(s.DetailSeed, (int)s.Background, 0, WorldStream.Details);
        switch (s.Background)
        {
            case BackgroundScene.Beach: Beach(c, ref rng); break;
            case BackgroundScene.City: City(c, ref rng); break;
            case BackgroundScene.Forest: Forest(c, ref rng); break;
            case BackgroundScene.NightSky: NightSky(c, ref rng); break;
            case BackgroundScene.Room: Room(c, ref rng); break;
            default: c.Clear(Plain(rng.Next(6))); break;
        }
    }

    private void Beach(SKCanvas c, ref WorldRandom rng)
    {
        float horizon = (float)rng.Uniform(40, 50), shore = horizon + (float)rng.Uniform(14, 20);
        c.Clear(new SKColor(140, 200, 246));
        c.DrawCircle((float)rng.Uniform(10, 90), (float)rng.Uniform(8, 18), 7f, Fill(new SKColor(255, 222, 80)));
        c.DrawRect(0, horizon, Units, shore - horizon + 2, Fill(new SKColor(30, 116, 200)));
        var wave = Stroke(new SKColor(130, 190, 240), 1.2f);
        for (int i = 0; i < 3; i++)
        {
            float y = horizon + 3 + i * (shore - horizon - 4) / 3f, x = (float)rng.Uniform(0, 20);
            c.DrawLine(x, y, x + 14, y, wave);
            c.DrawLine(x + 55, y + 1.5f, x + 72, y + 1.5f, wave);
        }
        _path.Reset();
        _path.MoveTo(0, shore);
        for (int i = 1; i <= 4; i++) _path.QuadTo(i * 25 - 12.5f, shore - 2.5f, i * 25, shore);
        _path.LineTo(Units, Units);
        _path.LineTo(0, Units);
        _path.Close();
        c.DrawPath(_path, Fill(new SKColor(240, 216, 158)));
        c.DrawPath(_path, Stroke(SKColors.White, 1.2f));
    }

    private void City(SKCanvas c, ref WorldRandom rng)
    {
        bool dusk = rng.Next(3) == 0;
        c.Clear(dusk ? new SKColor(250, 186, 140) : new SKColor(168, 210, 242));
        ReadOnlySpan<uint> walls = [0xFF5A6478, 0xFF787D8C, 0xFF465064, 0xFF8C827D, 0xFF646E82];
        var lit = new SKColor(255, 228, 128);
        float x = -(float)rng.Uniform(0, 8);
        while (x < Units)
        {
            float w = (float)rng.Uniform(11, 20), top = (float)rng.Uniform(14, 52);
            c.DrawRect(x, top, w - 0.8f, Units - top, Fill(new SKColor(walls[rng.Next(walls.Length)])));
            _path.Reset();
            for (float wy = top + 3; wy < 88; wy += 5.5f)
                for (float wx = x + 2; wx + 2.4f < x + w - 2; wx += 4.5f)
                    if (rng.Next(4) != 0) _path.AddRect(SKRect.Create(wx, wy, 2.4f, 3f));
            c.DrawPath(_path, Fill(lit));
            x += w;
        }
        c.DrawRect(0, 90, Units, 10, Fill(new SKColor(66, 66, 72)));
    }

    private void Forest(SKCanvas c, ref WorldRandom rng)
    {
        c.Clear(new SKColor(206, 234, 220));
        c.DrawOval(30, 74, 60, 16, Fill(new SKColor(120, 170, 110)));
        c.DrawOval(85, 72, 45, 14, Fill(new SKColor(110, 160, 100)));
        c.DrawRect(0, 72, Units, 28, Fill(new SKColor(86, 158, 64)));
        var trunk = new SKColor(104, 70, 40);
        float x = (float)rng.Uniform(-4, 8);
        while (x < Units + 4)
        {
            float baseY = (float)rng.Uniform(70, 80), height = (float)rng.Uniform(36, 56);
            c.DrawRect(x - 1.6f, baseY - height * 0.45f, 3.2f, height * 0.45f, Fill(trunk));
            if (rng.Next(2) == 0)
            {
                var pine = Fill(new SKColor(28, (byte)rng.Uniform(96, 124), 48));
                for (int k = 0; k < 3; k++)
                {
                    float ty = baseY - height * (0.3f + 0.22f * k), half = 9f - 2.2f * k;
                    _path.Reset();
                    _path.MoveTo(x - half, ty);
                    _path.LineTo(x + half, ty);
                    _path.LineTo(x, ty - 14f);
                    _path.Close();
                    c.DrawPath(_path, pine);
                }
            }
            else
            {
                var leaf = Fill(new SKColor(48, (byte)rng.Uniform(130, 156), 58));
                float cy = baseY - height * 0.7f;
                c.DrawCircle(x, cy, 8.5f, leaf);
                c.DrawCircle(x - 5.5f, cy + 4, 6f, leaf);
                c.DrawCircle(x + 5.5f, cy + 4, 6f, leaf);
            }
            x += (float)rng.Uniform(13, 20);
        }
    }

    private void NightSky(SKCanvas c, ref WorldRandom rng)
    {
        var sky = new SKColor(14, 20, 54);
        c.Clear(sky);
        _path.Reset();
        for (int i = 0; i < 34; i++)
            _path.AddCircle((float)rng.Uniform(0, Units), (float)rng.Uniform(0, 80), (float)rng.Uniform(0.45, 0.95));
        c.DrawPath(_path, Fill(new SKColor(255, 250, 214)));
        float mx = rng.Next(2) == 0 ? (float)rng.Uniform(10, 24) : (float)rng.Uniform(76, 90), my = (float)rng.Uniform(10, 20);
        c.DrawCircle(mx, my, 7.5f, Fill(new SKColor(250, 238, 176)));
        c.DrawCircle(mx + 3.6f, my - 2f, 6.6f, Fill(sky));
        _path.Reset();
        _path.MoveTo(0, 86);
        _path.QuadTo(25, 78, 50, 86);
        _path.QuadTo(75, 80, Units, 84);
        _path.LineTo(Units, Units);
        _path.LineTo(0, Units);
        _path.Close();
        c.DrawPath(_path, Fill(new SKColor(22, 34, 40)));
    }

    private void Room(SKCanvas c, ref WorldRandom rng)
    {
        ReadOnlySpan<uint> walls = [0xFFEBDCBE, 0xFFC8DCD2, 0xFFD7CDE6, 0xFFF0CDB4, 0xFFDCE6F0];
        c.Clear(new SKColor(walls[rng.Next(walls.Length)]));
        float floor = (float)rng.Uniform(70, 78);
        c.DrawRect(0, floor, Units, Units - floor, Fill(new SKColor(164, 112, 68)));
        var plank = Stroke(new SKColor(128, 84, 48), 0.8f);
        for (float y = floor + 6; y < Units; y += 7) c.DrawLine(0, y, Units, y, plank);
        c.DrawRect(0, floor - 2, Units, 2, Fill(new SKColor(248, 246, 240)));
        bool windowLeft = rng.Next(2) == 0;
        float wx = windowLeft ? (float)rng.Uniform(2, 10) : (float)rng.Uniform(68, 76), wy = (float)rng.Uniform(12, 22);
        c.DrawRect(wx - 1.5f, wy - 1.5f, 25, 29, Fill(SKColors.White));
        c.DrawRect(wx, wy, 22, 26, Fill(new SKColor(150, 204, 244)));
        var bar = Stroke(SKColors.White, 1.5f);
        c.DrawLine(wx + 11, wy, wx + 11, wy + 26, bar);
        c.DrawLine(wx, wy + 13, wx + 22, wy + 13, bar);
        float px = windowLeft ? (float)rng.Uniform(76, 86) : (float)rng.Uniform(4, 12), py = (float)rng.Uniform(16, 30);
        c.DrawRect(px - 1.2f, py - 1.2f, 12.4f, 10.4f, Fill(new SKColor(120, 80, 40)));
        c.DrawRect(px, py, 10, 8, Fill(new SKColor(250, 240, 200)));
        c.DrawCircle(px + 5, py + 4, 2.4f, Fill(new SKColor(230, 90, 70)));
    }

    // ---- person (both passes) -----------------------------------------------------------------

    private void DrawPerson(SKCanvas c, in CharacterScene s)
    {
        var t = s.Traits;
        bool child = t.IsChild;
        c.Save();
        c.Translate(50f + (float)s.OffsetX, 100f + (float)s.OffsetY);
        c.Scale((float)(s.Scale * (child ? 0.86 : 1.0)));
        DrawBody(c, s);
        c.Save();
        c.RotateDegrees((float)s.Roll, 0, -26f);
        c.Translate(0, -56f);
        if (child) c.Scale(1.12f);
        DrawHead(c, s);
        c.Restore();
        c.Restore();
    }

    private void DrawBody(SKCanvas c, in CharacterScene s)
    {
        var skin = Skin(s.Traits.SkinTone);
        var shirt = Clothing(s.Clothing);
        float half = s.Traits.IsChild ? 24f : 30f, top = -24f;
        c.DrawRect(-6f, -40f, 12f, 20f, Fill(Shade(skin, 0.86f)));
        _path.Reset();
        _path.MoveTo(-half - 5f, 24f);
        _path.LineTo(-half, top + 11f);
        _path.QuadTo(-half, top, -half + 11f, top);
        _path.LineTo(half - 11f, top);
        _path.QuadTo(half, top, half, top + 11f);
        _path.LineTo(half + 5f, 24f);
        _path.Close();
        c.DrawPath(_path, Fill(shirt));
        // Round neckline: the lower half of an ellipse cut into the shirt.
        _path.Reset();
        _path.AddArc(SKRect.Create(-6.5f, top - 5f, 13f, 10f), 0f, 180f);
        _path.Close();
        c.DrawPath(_path, Fill(Shade(skin, 0.86f)));
        _path.Reset();
        _path.AddArc(SKRect.Create(-6.5f, top - 5f, 13f, 10f), 0f, 180f);
        c.DrawPath(_path, Stroke(Shade(shirt, 0.7f), 1.0f));
        if (_silhouette) return;
        var seam = Stroke(Shade(shirt, 0.7f), 1.0f);
        c.DrawLine(-half + 8f, top + 12f, -half + 9f, 24f, seam);
        c.DrawLine(half - 8f, top + 12f, half - 9f, 24f, seam);
    }

    /// <summary>The head in its own frame: centre at the origin, the turn (yaw) already applied.</summary>
    private readonly record struct HeadFrame(float W, float H, float Dx, float Yaw, bool Child);

    private void DrawHead(SKCanvas c, in CharacterScene s)
    {
        var t = s.Traits;
        (float sw, float sh) = t.FaceShape switch
        {
            FaceShape.Round => (1.05f, 0.92f),
            FaceShape.Oval => (0.94f, 1.0f),
            FaceShape.Square => (1.0f, 0.95f),
            FaceShape.Long => (0.84f, 1.08f),
            _ => (1.0f, 0.98f),
        };
        float yaw = (float)s.Yaw;
        float w = 21f * sw * (float)t.FaceWidth * (1f - 0.1f * Math.Abs(yaw)), h = 25f * sh;
        var f = new HeadFrame(w, h, yaw * 0.28f * w, yaw, t.IsChild);
        var skin = Skin(t.SkinTone);
        var hair = Hair(t.HairColor);

        HairBack(c, t, f, hair);
        Ears(c, f, skin);
        HeadOutline(t.FaceShape, f);
        c.DrawPath(_headPath, Fill(skin));
        // Outlines that reach past a fill are drawn in both passes, so the mask covers every pixel the person touches.
        c.DrawPath(_headPath, Stroke(Shade(skin, 0.72f), 0.8f));
        HairFront(c, t, f, hair);
        if (!_silhouette)
        {
            // Features never spill past the face; near the edge of a turned head they are occluded.
            c.Save();
            c.ClipPath(_headPath, SKClipOperation.Intersect, true);
            Face(c, s, f, skin, hair);
            c.Restore();
        }
        if (t.Mark == DistinctiveMark.Earrings)
        {
            var gold = Fill(new SKColor(250, 200, 40));
            c.DrawCircle(-w - 0.5f + f.Dx * 0.3f, 8.5f, 1.8f, gold);
            c.DrawCircle(w + 0.5f + f.Dx * 0.3f, 8.5f, 1.8f, gold);
        }
        DrawHeadwear(c, s, f);
    }

    private void HeadOutline(FaceShape shape, HeadFrame f)
    {
        float w = f.W, h = f.H;
        _headPath.Reset();
        switch (shape)
        {
            case FaceShape.Square:
                _headPath.AddRoundRect(SKRect.Create(-w, -h, 2 * w, 2 * h), w * 0.45f, h * 0.4f);
                break;
            case FaceShape.Heart:
                _headPath.MoveTo(0, -h);
                _headPath.CubicTo(w * 0.6f, -h, w, -h * 0.7f, w, -h * 0.15f);
                _headPath.CubicTo(w, h * 0.45f, w * 0.45f, h * 0.8f, 0, h);
                _headPath.CubicTo(-w * 0.45f, h * 0.8f, -w, h * 0.45f, -w, -h * 0.15f);
                _headPath.CubicTo(-w, -h * 0.7f, -w * 0.6f, -h, 0, -h);
                _headPath.Close();
                break;
            default:
                _headPath.AddOval(SKRect.Create(-w, -h, 2 * w, 2 * h));
                break;
        }
    }

    private void Ears(SKCanvas c, HeadFrame f, SKColor skin)
    {
        // Turning the head shows more of the ear it turns away from and hides the other.
        float left = Math.Clamp(1f + 0.4f * f.Yaw, 0.15f, 1.3f), right = Math.Clamp(1f - 0.4f * f.Yaw, 0.15f, 1.3f);
        var fill = Fill(skin);
        c.DrawOval(-f.W + 0.5f - 1.5f * (left - 1f), 2f, 3.6f * left, 5f, fill);
        c.DrawOval(f.W - 0.5f + 1.5f * (right - 1f), 2f, 3.6f * right, 5f, fill);
        var line = Stroke(Shade(skin, 0.72f), 0.7f);
        c.DrawOval(-f.W + 0.5f - 1.5f * (left - 1f), 2f, 3.6f * left, 5f, line);
        c.DrawOval(f.W - 0.5f + 1.5f * (right - 1f), 2f, 3.6f * right, 5f, line);
    }

    // ---- hair ---------------------------------------------------------------------------------

    private void HairBack(SKCanvas c, IdentityTraits t, HeadFrame f, SKColor hair)
    {
        float w = f.W, h = f.H, side = t.MarkOnLeft ? -1f : 1f;
        var fill = Fill(hair);
        var outline = Stroke(Shade(hair, 0.6f), 0.8f);
        switch (t.HairStyle)
        {
            case HairStyle.Long:
                _path.Reset();
                _path.ArcTo(SKRect.Create(-w - 4f, -h - 3f, 2 * w + 8f, 2 * h + 6f), 180f, 180f, true);
                _path.LineTo(w + 6f, h * 1.25f);
                _path.QuadTo(w * 0.6f, h * 1.5f, 0, h * 1.3f);
                _path.QuadTo(-w * 0.6f, h * 1.5f, -w - 6f, h * 1.25f);
                _path.Close();
                break;
            case HairStyle.Bob:
                _path.Reset();
                _path.AddRoundRect(SKRect.Create(-w - 3.5f, -h * 0.6f, 2 * w + 7f, h * 1.25f), 7f, 7f);
                break;
            case HairStyle.Ponytail:
                _path.Reset();
                _path.AddOval(SKRect.Create(side * (w + 3f) - 4.5f, -h * 0.55f, 9f, 24f));
                c.DrawPath(_path, fill);
                c.DrawPath(_path, outline);
                c.DrawCircle(side * (w + 1f), -h * 0.5f, 2.4f, Fill(new SKColor(230, 60, 110)));
                return;
            case HairStyle.Bun:
                _path.Reset();
                _path.AddCircle(0, -h - 4f, 7f);
                break;
            case HairStyle.Curly:
                _path.Reset();
                for (int i = 0; i <= 12; i++)
                {
                    double a = Math.PI * (0.95 + 1.1 * i / 12.0);
                    _path.AddCircle((w + 1.5f) * (float)Math.Cos(a), (h + 1f) * (float)Math.Sin(a) + 1f, 5.2f);
                }
                break;
            default:
                return;
        }
        c.DrawPath(_path, fill);
        c.DrawPath(_path, outline);
    }

    private void HairFront(SKCanvas c, IdentityTraits t, HeadFrame f, SKColor hair)
    {
        float w = f.W, h = f.H, side = t.MarkOnLeft ? -1f : 1f, shift = f.Dx * 0.3f;
        var fill = Fill(hair);
        var outline = Stroke(Shade(hair, 0.6f), 0.8f);
        _path.Reset();
        switch (t.HairStyle)
        {
            case HairStyle.Bald:
                // A fringe above the ears only.
                c.DrawOval(-w + 1.2f, -3f, 2.2f, 5f, fill);
                c.DrawOval(w - 1.2f, -3f, 2.2f, 5f, fill);
                if (!_silhouette) c.DrawOval(-w * 0.35f + shift, -h * 0.72f, w * 0.22f, h * 0.08f, Fill(new SKColor(255, 255, 255, 90)));
                return;
            case HairStyle.Short:
                HairCap(w, h, 1.8f, -h * 0.25f, shift, -h * 0.78f);
                break;
            case HairStyle.Spiky:
                HairCap(w, h, 1.5f, -h * 0.3f, shift, -h * 0.72f);
                for (int i = 0; i < 7; i++)
                {
                    double a = Math.PI * (1.12 + 0.76 * i / 6.0), da = 0.09;
                    _path.MoveTo((w + 1f) * (float)Math.Cos(a - da), (h + 1f) * (float)Math.Sin(a - da));
                    _path.LineTo((w + 7f) * (float)Math.Cos(a) + shift, (h + 7f) * (float)Math.Sin(a));
                    _path.LineTo((w + 1f) * (float)Math.Cos(a + da), (h + 1f) * (float)Math.Sin(a + da));
                    _path.Close();
                }
                break;
            case HairStyle.Curly:
                HairCap(w, h, 1.5f, -h * 0.3f, shift, -h * 0.7f);
                for (int i = 0; i <= 8; i++)
                {
                    double a = Math.PI * (1.1 + 0.8 * i / 8.0);
                    _path.AddCircle(w * 0.86f * (float)Math.Cos(a) + shift, h * 0.6f * (float)Math.Sin(a) - h * 0.12f, 3.6f);
                }
                break;
            case HairStyle.Bob:
                HairCap(w, h, 2f, -h * 0.32f, shift, -h * 0.32f);
                break;
            case HairStyle.Long:
                HairCap(w, h, 2f, -h * 0.05f, shift + side * w * 0.35f, -h * 1.05f);
                break;
            default: // Ponytail and Bun: pulled back
                HairCap(w, h, 1.6f, -h * 0.35f, shift, -h * 0.82f);
                break;
        }
        c.DrawPath(_path, fill);
        c.DrawPath(_path, outline);
    }

    /// <summary>
    /// Adds to _path the part of the head's (padded) ellipse above a hairline that starts and ends
    /// at height sideY on both sides and bends through (controlX, controlY) in between.
    /// </summary>
    private void HairCap(float w, float h, float pad, float sideY, float controlX, float controlY)
    {
        float rx = w + pad, ry = h + pad;
        float phi = (float)(Math.Asin(Math.Clamp(-sideY / ry, -0.99, 0.99)) * 180.0 / Math.PI);
        double rad = phi * Math.PI / 180.0;
        _path.ArcTo(SKRect.Create(-rx, -ry, 2 * rx, 2 * ry), 180f + phi, 180f - 2f * phi, true);
        _path.QuadTo(controlX, controlY, -rx * (float)Math.Cos(rad), sideY);
        _path.Close();
    }

    // ---- face (colour pass only) --------------------------------------------------------------

    private void Face(SKCanvas c, in CharacterScene s, HeadFrame f, SKColor skin, SKColor hair)
    {
        var t = s.Traits;
        var e = s.Face;
        float dx = f.Dx, yaw = f.Yaw;
        float eyeY = f.Child ? 3f : 1f, noseY = f.Child ? 9f : 8f, mouthY = f.Child ? 14f : 15f;
        float eyeScale = (float)t.EyeSize * (f.Child ? 1.15f : 1f);
        float ex = 3.8f * eyeScale, ey = 2.8f * eyeScale;
        // Close-set eyes still keep a visible gap of skin between them.
        float spacing = Math.Max(7.5f * (float)t.EyeSpacing, ex + 2f) * (1f - 0.15f * Math.Abs(yaw));
        float leftX = -spacing + dx, rightX = spacing + dx;
        // The eye on the side the face turns toward is foreshortened.
        float leftW = ex * (1f - 0.3f * Math.Max(-yaw, 0f)), rightW = ex * (1f - 0.3f * Math.Max(yaw, 0f));

        if (t.Mark == DistinctiveMark.RosyCheeks)
        {
            var blush = Fill(new SKColor(240, 96, 110, 110));
            c.DrawOval(-11f + dx, 9f, 3.6f, 2.4f, blush);
            c.DrawOval(11f + dx, 9f, 3.6f, 2.4f, blush);
        }
        if (t.Mark == DistinctiveMark.Freckles)
        {
            _path.Reset();
            foreach (float sx in stackalloc float[] { -1f, 1f })
            {
                _path.AddCircle(sx * 8.5f + dx, 6.5f, 0.75f);
                _path.AddCircle(sx * 11f + dx, 7f, 0.75f);
                _path.AddCircle(sx * 9.8f + dx, 9f, 0.75f);
                _path.AddCircle(sx * 12.2f + dx, 9.6f, 0.75f);
            }
            c.DrawPath(_path, Fill(Mix(Shade(skin, 0.62f), new SKColor(150, 70, 30), 0.5f)));
        }
        float markSide = t.MarkOnLeft ? -1f : 1f;
        if (t.Mark == DistinctiveMark.Mole) c.DrawCircle(markSide * 9.5f + dx, 11.5f, 1.15f, Fill(new SKColor(60, 36, 26)));
        if (t.Mark == DistinctiveMark.Scar)
        {
            var scar = Stroke(new SKColor(190, 60, 70), 1.0f);
            float x0 = markSide * 6.5f + dx, x1 = markSide * 11.5f + dx;
            c.DrawLine(x0, -8f, x1, 6f, scar);
            for (int k = 1; k <= 3; k++)
            {
                float u = k / 4f, cx = x0 + (x1 - x0) * u, cy = -8f + 14f * u;
                c.DrawLine(cx - 1.6f, cy - 0.6f, cx + 1.6f, cy + 0.6f, scar);
            }
        }

        // Brows stay with the two normal eye positions whatever the eye count, so only the eyes differ.
        var browColor = t.HairStyle == HairStyle.Bald || t.HairColor is HairColor.Blonde or HairColor.Gray
            ? Shade(hair, 0.65f) : Shade(hair, 0.85f);
        var brow = Stroke(browColor, t.IsFemale ? 1.3f : 1.9f);
        float browY = eyeY - ey - 2.6f - (float)e.BrowRaise * 2.6f;
        float inner = (float)e.BrowTilt * 1.8f, outer = (float)e.BrowTilt * 0.6f;
        c.DrawLine(leftX + 3f, browY - inner, leftX - leftW - 0.4f, browY + outer, brow);
        c.DrawLine(rightX - 3f, browY - inner, rightX + rightW + 0.4f, browY + outer, brow);

        var eyeColor = Eye(t.EyeColor);
        float open = (float)e.EyeOpen;
        if (s.Parts.Eyes >= 1) EyeAt(c, leftX, eyeY, leftW, ey * open, eyeColor, dx, t.IsFemale, -1f);
        if (s.Parts.Eyes >= 2) EyeAt(c, rightX, eyeY, rightW, ey * open, eyeColor, dx, t.IsFemale, 1f);
        if (s.Parts.Eyes >= 3) EyeAt(c, dx * 0.9f, -9.5f, ex * 0.75f, ey * 0.75f * open, eyeColor, dx, false, 0f);

        bool darkSkin = Luma(skin) < 110;
        var noseColor = Shade(skin, darkSkin ? 0.45f : 0.7f);
        if (s.Parts.Noses >= 1) NoseAt(c, t.NoseShape, dx * 1.3f, noseY, noseColor, yaw);
        if (s.Parts.Noses >= 2) NoseAt(c, t.NoseShape, -10.5f + dx, noseY + 3f, noseColor, yaw);

        float mouthHalf = t.MouthShape switch
        {
            MouthShape.Small => 4.0f,
            MouthShape.Medium => 5.2f,
            MouthShape.Wide => 6.6f,
            _ => 5.4f,
        } * (f.Child ? 0.85f : 1f);
        if (t.Mark == DistinctiveMark.Beard) Beard(c, f, hair, skin, mouthY, mouthHalf);
        if (t.Mark == DistinctiveMark.Moustache)
        {
            _path.Reset();
            float my = mouthY - 2.6f, mx = dx;
            _path.MoveTo(mx, my - 1.2f);
            _path.QuadTo(mx - 4f, my - 2.6f, mx - 6.5f, my + 1.2f);
            _path.QuadTo(mx - 3f, my + 0.2f, mx, my + 0.4f);
            _path.QuadTo(mx + 3f, my + 0.2f, mx + 6.5f, my + 1.2f);
            _path.QuadTo(mx + 4f, my - 2.6f, mx, my - 1.2f);
            _path.Close();
            c.DrawPath(_path, Fill(Shade(hair, 0.8f)));
            c.DrawPath(_path, Stroke(Shade(hair, 0.5f), 0.6f));
        }

        float lip = t.MouthShape == MouthShape.Full ? 2.0f : 1.3f;
        var lipColor = t.IsFemale ? new SKColor(196, 52, 74)
            : darkSkin ? new SKColor(186, 96, 92) : Mix(Shade(skin, 0.5f), new SKColor(140, 40, 40), 0.5f);
        if (s.Parts.Mouths >= 1) MouthAt(c, dx, mouthY, mouthHalf, lip, lipColor, e, yaw, 1f);
        if (s.Parts.Mouths >= 2) MouthAt(c, 12f + dx, noseY, mouthHalf, lip, lipColor, e, yaw, 0.65f);

        if (t.Mark == DistinctiveMark.Glasses)
        {
            var frame = Stroke(new SKColor(30, 30, 34), 1.0f);
            float r = 5.0f * eyeScale;
            c.DrawOval(leftX, eyeY, r * (leftW / ex) + 0.6f, r * 0.85f, frame);
            c.DrawOval(rightX, eyeY, r * (rightW / ex) + 0.6f, r * 0.85f, frame);
            c.DrawLine(leftX + r * (leftW / ex) + 0.6f, eyeY - 0.8f, rightX - r * (rightW / ex) - 0.6f, eyeY - 0.8f, frame);
            c.DrawLine(leftX - r * (leftW / ex) - 0.6f, eyeY - 1f, -f.W + 0.5f, eyeY - 2f, frame);
            c.DrawLine(rightX + r * (rightW / ex) + 0.6f, eyeY - 1f, f.W - 0.5f, eyeY - 2f, frame);
        }
    }

    private void EyeAt(SKCanvas c, float x, float y, float rx, float ry, SKColor iris, float dx, bool lashes, float side)
    {
        ry = Math.Max(ry, 0.5f);
        c.DrawOval(x, y, rx, ry, Fill(SKColors.White));
        float ir = Math.Min(rx * 0.62f, ry), gaze = dx * 0.12f;
        c.DrawOval(x + gaze, y + 0.15f, Math.Min(rx * 0.62f, rx), ir, Fill(iris));
        c.DrawCircle(x + gaze, y + 0.15f, Math.Min(rx, ir) * 0.5f, Fill(new SKColor(14, 12, 16)));
        c.DrawOval(x, y, rx, ry, Stroke(new SKColor(40, 28, 24), 0.7f));
        if (lashes && side != 0)
        {
            var lash = Stroke(new SKColor(30, 22, 20), 0.8f);
            float ox = x + side * rx * 0.85f, oy = y - ry * 0.55f;
            c.DrawLine(ox, oy, ox + side * 1.6f, oy - 1.4f, lash);
        }
    }

    private void NoseAt(SKCanvas c, NoseShape shape, float x, float y, SKColor color, float yaw)
    {
        var line = Stroke(color, 1.3f);
        float turn = yaw >= 0 ? 1f : -1f;
        switch (shape)
        {
            case NoseShape.Button:
                c.DrawOval(x, y + 0.8f, 2.3f, 1.9f, Fill(color));
                break;
            case NoseShape.Pointed:
                _path.Reset();
                _path.MoveTo(x - 0.6f * turn, y - 4.5f);
                _path.LineTo(x + 2.6f * turn, y + 2.2f);
                _path.LineTo(x - 1.2f * turn, y + 2.4f);
                c.DrawPath(_path, line);
                break;
            case NoseShape.Wide:
                _path.Reset();
                _path.MoveTo(x - 4f, y + 0.2f);
                _path.QuadTo(x, y + 4.4f, x + 4f, y + 0.2f);
                c.DrawPath(_path, line);
                c.DrawCircle(x - 1.6f, y + 1.3f, 0.7f, Fill(color));
                c.DrawCircle(x + 1.6f, y + 1.3f, 0.7f, Fill(color));
                break;
            default:
                _path.Reset();
                _path.MoveTo(x, y - 7f);
                _path.LineTo(x + 0.9f * turn, y + 2.2f);
                _path.QuadTo(x, y + 3.4f, x - 1.8f * turn, y + 2.4f);
                c.DrawPath(_path, line);
                break;
        }
    }

    private void MouthAt(SKCanvas c, float x, float y, float half, float lip, SKColor lipColor, ExpressionParameters e, float yaw, float scale)
    {
        float curve = (float)e.MouthCurve, open = (float)e.MouthOpen;
        // An open mouth narrows toward an "O"; a smile widens.
        float w = half * scale * (1f - 0.35f * open + 0.1f * Math.Max(curve, 0f));
        float left = x - w * (1f - 0.25f * Math.Max(-yaw, 0f)), right = x + w * (1f - 0.25f * Math.Max(yaw, 0f));
        float corner = y - curve * 2.6f * scale, middle = y + curve * 1.2f * scale;
        _path2.Reset();
        _path2.MoveTo(left, corner);
        _path2.QuadTo(x, middle, right, corner);
        if (open < 0.08f)
        {
            c.DrawPath(_path2, Stroke(lipColor, lip * scale));
            return;
        }
        _path2.QuadTo(x, middle + open * 9f * scale, left, corner);
        _path2.Close();
        c.DrawPath(_path2, Fill(new SKColor(90, 22, 30)));
        if (curve > 0.3f)
        {
            // Teeth: the top of the opening.
            c.Save();
            c.ClipPath(_path2, SKClipOperation.Intersect, true);
            c.DrawRect(left, Math.Min(corner, middle) - 1f, right - left, (middle - Math.Min(corner, middle)) + 2.2f * scale, Fill(SKColors.White));
            c.Restore();
        }
        c.DrawPath(_path2, Stroke(lipColor, lip * scale * 0.8f));
    }

    private void Beard(SKCanvas c, HeadFrame f, SKColor hair, SKColor skin, float mouthY, float mouthHalf)
    {
        c.Save();
        c.ClipPath(_headPath, SKClipOperation.Intersect, true);
        _path.Reset();
        _path.MoveTo(-f.W - 1f, 0f);
        _path.QuadTo(-f.W * 0.6f, 12f, f.Dx - 6f, 11.5f);
        _path.QuadTo(f.Dx, 10.5f, f.Dx + 6f, 11.5f);
        _path.QuadTo(f.W * 0.6f, 12f, f.W + 1f, 0f);
        _path.LineTo(f.W + 1f, f.H + 2f);
        _path.LineTo(-f.W - 1f, f.H + 2f);
        _path.Close();
        c.DrawPath(_path, Fill(hair));
        c.Restore();
        c.DrawPath(_headPath, Stroke(Shade(hair, 0.6f), 0.8f));
        // The mouth shows through a gap in the beard.
        c.DrawOval(f.Dx, mouthY + 0.5f, mouthHalf + 1.6f, 3.2f, Fill(skin));
    }

    // ---- headwear (both passes, every stroke included: all of it is the person) ----------------

    private void DrawHeadwear(SKCanvas c, in CharacterScene s, HeadFrame f)
    {
        float w = f.W, h = f.H, dx = f.Dx, side = (s.DetailSeed & 1) == 0 ? 1f : -1f;
        switch (s.Headwear)
        {
            case Headwear.Cap:
            {
                var cap = new SKColor(26, 140, 140);
                _path.Reset();
                HairCap(w, h, 2.6f, -h * 0.5f, dx * 0.3f, -h * 0.5f);
                c.DrawPath(_path, Fill(cap));
                float brimX = dx * 1.6f + (f.Yaw >= 0 ? 2f : -2f);
                c.DrawOval(brimX, -h * 0.5f, w * 0.95f, 3.4f, Fill(Shade(cap, 0.7f)));
                c.DrawCircle(dx * 0.3f, -h - 2.4f, 1.7f, Fill(Shade(cap, 0.7f)));
                c.DrawLine(dx * 0.3f, -h - 1f, dx * 0.6f, -h * 0.55f, Stroke(Shade(cap, 0.75f), 0.7f));
                break;
            }
            case Headwear.PartyHat:
            {
                float baseY = -h + 2.5f, tipX = side * 3f + dx * 0.3f, tipY = -h - 21f;
                _path.Reset();
                _path.MoveTo(-9f + dx * 0.3f, baseY);
                _path.LineTo(9f + dx * 0.3f, baseY);
                _path.LineTo(tipX, tipY);
                _path.Close();
                c.DrawPath(_path, Fill(new SKColor(226, 50, 160)));
                c.Save();
                c.ClipPath(_path, SKClipOperation.Intersect, true);
                var stripe = Stroke(new SKColor(255, 222, 60), 2.4f);
                for (int k = 0; k < 3; k++)
                {
                    float y = baseY - 5f - k * 6f;
                    c.DrawLine(-12f, y + 3f, 12f, y - 3f, stripe);
                }
                c.Restore();
                c.DrawCircle(tipX, tipY, 3f, Fill(new SKColor(255, 222, 60)));
                break;
            }
            case Headwear.Crown:
            {
                float baseY = -h + 3f, x0 = -11f + dx * 0.3f;
                _path.Reset();
                _path.MoveTo(x0, baseY);
                _path.LineTo(x0 + 22f, baseY);
                ReadOnlySpan<float> px = [22f, 16.5f, 11f, 5.5f, 0f];
                ReadOnlySpan<float> py = [13f, 7f, 15f, 7f, 13f];
                for (int k = 0; k < px.Length; k++)
                {
                    _path.LineTo(x0 + px[k], baseY - py[k]);
                    if (k < px.Length - 1) _path.LineTo(x0 + px[k] - 2.75f, baseY - 6f);
                }
                _path.Close();
                c.DrawPath(_path, Fill(new SKColor(246, 196, 40)));
                c.DrawPath(_path, Stroke(new SKColor(176, 124, 16), 0.8f));
                c.DrawCircle(x0 + 11f, baseY - 3f, 1.8f, Fill(new SKColor(220, 30, 60)));
                c.DrawCircle(x0 + 4.5f, baseY - 3f, 1.2f, Fill(new SKColor(40, 120, 230)));
                c.DrawCircle(x0 + 17.5f, baseY - 3f, 1.2f, Fill(new SKColor(40, 120, 230)));
                break;
            }
            case Headwear.Headphones:
            {
                var band = Stroke(new SKColor(50, 54, 64), 2.8f);
                _path.Reset();
                _path.AddArc(SKRect.Create(-w - 3f, -h - 3f, 2 * w + 6f, 2 * h + 6f), 190f, 160f);
                c.DrawPath(_path, band);
                var cup = Fill(new SKColor(44, 48, 58));
                var rim = new SKColor(232, 70, 60);
                c.DrawRoundRect(SKRect.Create(-w - 5.5f, -4f, 7f, 12f), 2.5f, 2.5f, cup);
                c.DrawRoundRect(SKRect.Create(w - 1.5f, -4f, 7f, 12f), 2.5f, 2.5f, cup);
                c.DrawRoundRect(SKRect.Create(-w - 5.5f, -4f, 7f, 12f), 2.5f, 2.5f, Stroke(rim, 1f));
                c.DrawRoundRect(SKRect.Create(w - 1.5f, -4f, 7f, 12f), 2.5f, 2.5f, Stroke(rim, 1f));
                break;
            }
            case Headwear.ChristmasHat:
            {
                var red = new SKColor(214, 36, 40);
                float tipX = side * (w + 7f), tipY = -h + 1f;
                _path.Reset();
                _path.MoveTo(-w - 1.5f, -h * 0.45f);
                _path.QuadTo(-w * 0.6f, -h - 12f, side * 4f, -h - 13f);
                _path.QuadTo(side * (w + 4f), -h - 12f, tipX, tipY);
                _path.QuadTo(side * w * 0.6f, -h - 6f, w * side * 0.2f, -h - 3f);
                _path.LineTo(w + 1.5f, -h * 0.45f);
                _path.Close();
                c.DrawPath(_path, Fill(red));
                c.DrawRoundRect(SKRect.Create(-w - 3f, -h * 0.62f, 2 * w + 6f, 5.5f), 2.7f, 2.7f, Fill(new SKColor(250, 250, 250)));
                c.DrawCircle(tipX, tipY, 3.6f, Fill(new SKColor(250, 250, 250)));
                break;
            }
            case Headwear.TopHat:
            {
                var black = new SKColor(26, 26, 30);
                float x0 = dx * 0.3f, baseY = -h + 3.5f;
                c.DrawRect(x0 - 10.5f, baseY - 20f, 21f, 20f, Fill(black));
                c.DrawOval(x0, baseY, w + 4f, 3f, Fill(black));
                c.DrawRect(x0 - 10.5f, baseY - 5.5f, 21f, 3.5f, Fill(new SKColor(190, 30, 44)));
                c.DrawRect(x0 - 10.5f, baseY - 20f, 21f, 20f, Stroke(new SKColor(92, 92, 100), 0.7f));
                break;
            }
            case Headwear.Beanie:
            {
                var wool = new SKColor(232, 162, 32);
                _path.Reset();
                HairCap(w, h, 2.4f, -h * 0.38f, dx * 0.3f, -h * 0.38f);
                c.DrawPath(_path, Fill(wool));
                c.DrawRoundRect(SKRect.Create(-w - 3f, -h * 0.55f, 2 * w + 6f, 6f), 2.5f, 2.5f, Fill(Shade(wool, 0.8f)));
                c.DrawCircle(dx * 0.3f, -h - 4f, 3.6f, Fill(Shade(wool, 0.9f)));
                var rib = Stroke(Shade(wool, 0.75f), 0.7f);
                for (int k = -2; k <= 2; k++) c.DrawLine(k * 4.5f + dx * 0.3f, -h * 0.58f, k * 3.5f + dx * 0.3f, -h - 1f, rib);
                break;
            }
        }
    }

    public void Dispose()
    {
        _colorSurface.Dispose();
        _maskSurface.Dispose();
        _fill.Dispose();
        _stroke.Dispose();
        _path.Dispose();
        _path2.Dispose();
        _headPath.Dispose();
        Marshal.FreeHGlobal(_colorPixels);
        Marshal.FreeHGlobal(_maskPixels);
    }
}
