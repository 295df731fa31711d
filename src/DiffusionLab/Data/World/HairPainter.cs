using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints the haircut in the head's frame, in two layers around the face: what hangs behind the
/// head (long hair, bob, ponytail, bun, curls) and what lies on top of it (the cap of hair, spikes,
/// curls, a bald head's side fringe and shine).
/// </summary>
internal static class HairPainter
{
    public static void DrawBack(SKCanvas c, PaintKit kit, IdentityTraits t, HeadFrame f, SKColor hair)
    {
        float w = f.W, h = f.H, side = t.MarkOnLeft ? -1f : 1f;
        var fill = kit.Fill(hair);
        var outline = kit.Stroke(Shade(hair, 0.6f), 0.8f);
        switch (t.HairStyle)
        {
            case HairStyle.Long:
                kit.Path.Reset();
                kit.Path.ArcTo(SKRect.Create(-w - 4f, -h - 3f, 2 * w + 8f, 2 * h + 6f), 180f, 180f, true);
                kit.Path.LineTo(w + 6f, h * 1.25f);
                kit.Path.QuadTo(w * 0.6f, h * 1.5f, 0, h * 1.3f);
                kit.Path.QuadTo(-w * 0.6f, h * 1.5f, -w - 6f, h * 1.25f);
                kit.Path.Close();
                break;
            case HairStyle.Bob:
                kit.Path.Reset();
                kit.Path.AddRoundRect(SKRect.Create(-w - 3.5f, -h * 0.6f, 2 * w + 7f, h * 1.25f), 7f, 7f);
                break;
            case HairStyle.Ponytail:
                kit.Path.Reset();
                kit.Path.AddOval(SKRect.Create(side * (w + 3f) - 4.5f, -h * 0.55f, 9f, 24f));
                c.DrawPath(kit.Path, fill);
                c.DrawPath(kit.Path, outline);
                c.DrawCircle(side * (w + 1f), -h * 0.5f, 2.4f, kit.Fill(new SKColor(230, 60, 110)));
                return;
            case HairStyle.Bun:
                kit.Path.Reset();
                kit.Path.AddCircle(0, -h - 4f, 7f);
                break;
            case HairStyle.Curly:
                kit.Path.Reset();
                for (int i = 0; i <= 12; i++)
                {
                    double a = Math.PI * (0.95 + 1.1 * i / 12.0);
                    kit.Path.AddCircle((w + 1.5f) * (float)Math.Cos(a), (h + 1f) * (float)Math.Sin(a) + 1f, 5.2f);
                }
                break;
            default:
                return;
        }
        c.DrawPath(kit.Path, fill);
        c.DrawPath(kit.Path, outline);
    }

    public static void DrawFront(SKCanvas c, PaintKit kit, IdentityTraits t, HeadFrame f, SKColor hair)
    {
        float w = f.W, h = f.H, side = t.MarkOnLeft ? -1f : 1f, shift = f.Dx * 0.3f;
        var fill = kit.Fill(hair);
        var outline = kit.Stroke(Shade(hair, 0.6f), 0.8f);
        kit.Path.Reset();
        switch (t.HairStyle)
        {
            case HairStyle.Bald:
                // A fringe above the ears only.
                c.DrawOval(-w + 1.2f, -3f, 2.2f, 5f, fill);
                c.DrawOval(w - 1.2f, -3f, 2.2f, 5f, fill);
                if (!kit.Silhouette) c.DrawOval(-w * 0.35f + shift, -h * 0.72f, w * 0.22f, h * 0.08f, kit.Fill(new SKColor(255, 255, 255, 90)));
                return;
            case HairStyle.Short:
                HeadCapPath.Add(kit.Path, w, h, 1.8f, -h * 0.25f, shift, -h * 0.78f);
                break;
            case HairStyle.Spiky:
                HeadCapPath.Add(kit.Path, w, h, 1.5f, -h * 0.3f, shift, -h * 0.72f);
                for (int i = 0; i < 7; i++)
                {
                    double a = Math.PI * (1.12 + 0.76 * i / 6.0), da = 0.09;
                    kit.Path.MoveTo((w + 1f) * (float)Math.Cos(a - da), (h + 1f) * (float)Math.Sin(a - da));
                    kit.Path.LineTo((w + 7f) * (float)Math.Cos(a) + shift, (h + 7f) * (float)Math.Sin(a));
                    kit.Path.LineTo((w + 1f) * (float)Math.Cos(a + da), (h + 1f) * (float)Math.Sin(a + da));
                    kit.Path.Close();
                }
                break;
            case HairStyle.Curly:
                HeadCapPath.Add(kit.Path, w, h, 1.5f, -h * 0.3f, shift, -h * 0.7f);
                for (int i = 0; i <= 8; i++)
                {
                    double a = Math.PI * (1.1 + 0.8 * i / 8.0);
                    kit.Path.AddCircle(w * 0.86f * (float)Math.Cos(a) + shift, h * 0.6f * (float)Math.Sin(a) - h * 0.12f, 3.6f);
                }
                break;
            case HairStyle.Bob:
                HeadCapPath.Add(kit.Path, w, h, 2f, -h * 0.32f, shift, -h * 0.32f);
                break;
            case HairStyle.Long:
                HeadCapPath.Add(kit.Path, w, h, 2f, -h * 0.05f, shift + side * w * 0.35f, -h * 1.05f);
                break;
            default: // Ponytail and Bun: pulled back
                HeadCapPath.Add(kit.Path, w, h, 1.6f, -h * 0.35f, shift, -h * 0.82f);
                break;
        }
        c.DrawPath(kit.Path, fill);
        c.DrawPath(kit.Path, outline);
    }
}
