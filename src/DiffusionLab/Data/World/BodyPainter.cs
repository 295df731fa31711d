using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>Paints the neck and the shirt (with its neckline and, in colour only, its seams) in the person's frame.</summary>
internal static class BodyPainter
{
    public static void Draw(SKCanvas c, PaintKit kit, in CharacterScene s)
    {
        var skin = Skin(s.Traits.SkinTone);
        var shirt = Clothing(s.Clothing);
        float half = s.Traits.IsChild ? 24f : 30f, top = -24f;
        c.DrawRect(-6f, -40f, 12f, 20f, kit.Fill(Shade(skin, 0.86f)));
        kit.Path.Reset();
        kit.Path.MoveTo(-half - 5f, 24f);
        kit.Path.LineTo(-half, top + 11f);
        kit.Path.QuadTo(-half, top, -half + 11f, top);
        kit.Path.LineTo(half - 11f, top);
        kit.Path.QuadTo(half, top, half, top + 11f);
        kit.Path.LineTo(half + 5f, 24f);
        kit.Path.Close();
        c.DrawPath(kit.Path, kit.Fill(shirt));
        // Round neckline: the lower half of an ellipse cut into the shirt.
        kit.Path.Reset();
        kit.Path.AddArc(SKRect.Create(-6.5f, top - 5f, 13f, 10f), 0f, 180f);
        kit.Path.Close();
        c.DrawPath(kit.Path, kit.Fill(Shade(skin, 0.86f)));
        kit.Path.Reset();
        kit.Path.AddArc(SKRect.Create(-6.5f, top - 5f, 13f, 10f), 0f, 180f);
        c.DrawPath(kit.Path, kit.Stroke(Shade(shirt, 0.7f), 1.0f));
        if (kit.Silhouette) return;
        var seam = kit.Stroke(Shade(shirt, 0.7f), 1.0f);
        c.DrawLine(-half + 8f, top + 12f, -half + 9f, 24f, seam);
        c.DrawLine(half - 8f, top + 12f, half - 9f, 24f, seam);
    }
}
