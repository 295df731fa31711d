using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints an identity's distinctive mark in the head's frame. Each method is called at the mark's
/// place among the face's layers: skin marks under the features, facial hair over the nose and
/// under the mouth, glasses over everything; earrings hang outside the face in both passes.
/// </summary>
internal static class MarkPainter
{
    /// <summary>Rosy cheeks, freckles, a mole or a scar (colour pass, clipped to the head).</summary>
    public static void DrawOnSkin(SKCanvas c, PaintKit kit, IdentityTraits t, HeadFrame f, SKColor skin)
    {
        float dx = f.Dx, markSide = t.MarkOnLeft ? -1f : 1f;
        switch (t.Mark)
        {
            case DistinctiveMark.RosyCheeks:
            {
                var blush = kit.Fill(new SKColor(240, 96, 110, 110));
                c.DrawOval(-11f + dx, 9f, 3.6f, 2.4f, blush);
                c.DrawOval(11f + dx, 9f, 3.6f, 2.4f, blush);
                break;
            }
            case DistinctiveMark.Freckles:
                kit.Path.Reset();
                foreach (float sx in stackalloc float[] { -1f, 1f })
                {
                    kit.Path.AddCircle(sx * 8.5f + dx, 6.5f, 0.75f);
                    kit.Path.AddCircle(sx * 11f + dx, 7f, 0.75f);
                    kit.Path.AddCircle(sx * 9.8f + dx, 9f, 0.75f);
                    kit.Path.AddCircle(sx * 12.2f + dx, 9.6f, 0.75f);
                }
                c.DrawPath(kit.Path, kit.Fill(Mix(Shade(skin, 0.62f), new SKColor(150, 70, 30), 0.5f)));
                break;
            case DistinctiveMark.Mole:
                c.DrawCircle(markSide * 9.5f + dx, 11.5f, 1.15f, kit.Fill(new SKColor(60, 36, 26)));
                break;
            case DistinctiveMark.Scar:
            {
                var scar = kit.Stroke(new SKColor(190, 60, 70), 1.0f);
                float x0 = markSide * 6.5f + dx, x1 = markSide * 11.5f + dx;
                c.DrawLine(x0, -8f, x1, 6f, scar);
                for (int k = 1; k <= 3; k++)
                {
                    float u = k / 4f, cx = x0 + (x1 - x0) * u, cy = -8f + 14f * u;
                    c.DrawLine(cx - 1.6f, cy - 0.6f, cx + 1.6f, cy + 0.6f, scar);
                }
                break;
            }
        }
    }

    /// <summary>A beard or a moustache (colour pass, clipped to the head).</summary>
    public static void DrawFacialHair(SKCanvas c, PaintKit kit, IdentityTraits t, HeadFrame f, FaceLayout l, SKColor hair, SKColor skin)
    {
        if (t.Mark == DistinctiveMark.Beard)
        {
            c.Save();
            c.ClipPath(kit.HeadPath, SKClipOperation.Intersect, true);
            kit.Path.Reset();
            kit.Path.MoveTo(-f.W - 1f, 0f);
            kit.Path.QuadTo(-f.W * 0.6f, 12f, f.Dx - 6f, 11.5f);
            kit.Path.QuadTo(f.Dx, 10.5f, f.Dx + 6f, 11.5f);
            kit.Path.QuadTo(f.W * 0.6f, 12f, f.W + 1f, 0f);
            kit.Path.LineTo(f.W + 1f, f.H + 2f);
            kit.Path.LineTo(-f.W - 1f, f.H + 2f);
            kit.Path.Close();
            c.DrawPath(kit.Path, kit.Fill(hair));
            c.Restore();
            c.DrawPath(kit.HeadPath, kit.Stroke(Shade(hair, 0.6f), 0.8f));
            // The mouth shows through a gap in the beard.
            c.DrawOval(f.Dx, l.MouthY + 0.5f, l.MouthHalf + 1.6f, 3.2f, kit.Fill(skin));
        }
        if (t.Mark == DistinctiveMark.Moustache)
        {
            kit.Path.Reset();
            float my = l.MouthY - 2.6f, mx = f.Dx;
            kit.Path.MoveTo(mx, my - 1.2f);
            kit.Path.QuadTo(mx - 4f, my - 2.6f, mx - 6.5f, my + 1.2f);
            kit.Path.QuadTo(mx - 3f, my + 0.2f, mx, my + 0.4f);
            kit.Path.QuadTo(mx + 3f, my + 0.2f, mx + 6.5f, my + 1.2f);
            kit.Path.QuadTo(mx + 4f, my - 2.6f, mx, my - 1.2f);
            kit.Path.Close();
            c.DrawPath(kit.Path, kit.Fill(Shade(hair, 0.8f)));
            c.DrawPath(kit.Path, kit.Stroke(Shade(hair, 0.5f), 0.6f));
        }
    }

    /// <summary>Round frames around both eyes with a bridge and temples (colour pass, clipped to the head).</summary>
    public static void DrawGlasses(SKCanvas c, PaintKit kit, HeadFrame f, FaceLayout l)
    {
        float leftX = l.LeftX, rightX = l.RightX, eyeY = l.EyeY, leftW = l.LeftW, rightW = l.RightW, ex = l.EyeRx;
        var frame = kit.Stroke(new SKColor(30, 30, 34), 1.0f);
        float r = 5.0f * l.EyeScale;
        c.DrawOval(leftX, eyeY, r * (leftW / ex) + 0.6f, r * 0.85f, frame);
        c.DrawOval(rightX, eyeY, r * (rightW / ex) + 0.6f, r * 0.85f, frame);
        c.DrawLine(leftX + r * (leftW / ex) + 0.6f, eyeY - 0.8f, rightX - r * (rightW / ex) - 0.6f, eyeY - 0.8f, frame);
        c.DrawLine(leftX - r * (leftW / ex) - 0.6f, eyeY - 1f, -f.W + 0.5f, eyeY - 2f, frame);
        c.DrawLine(rightX + r * (rightW / ex) + 0.6f, eyeY - 1f, f.W - 0.5f, eyeY - 2f, frame);
    }

    /// <summary>Gold studs on both ear lobes (both passes: they reach past the head).</summary>
    public static void DrawEarrings(SKCanvas c, PaintKit kit, HeadFrame f)
    {
        var gold = kit.Fill(new SKColor(250, 200, 40));
        c.DrawCircle(-f.W - 0.5f + f.Dx * 0.3f, 8.5f, 1.8f, gold);
        c.DrawCircle(f.W + 0.5f + f.Dx * 0.3f, 8.5f, 1.8f, gold);
    }
}
