using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints the head in its own frame, back to front: hair behind the head, ears, the face shape in
/// skin with its outline, hair in front, the face (colour pass only, clipped to the head), earrings
/// and headwear.
/// </summary>
internal static class HeadPainter
{
    public static void Draw(SKCanvas c, PaintKit kit, in CharacterScene s)
    {
        var t = s.Traits;
        var f = HeadFrame.For(s);
        var skin = Skin(t.SkinTone);
        var hair = Hair(t.HairColor);

        HairPainter.DrawBack(c, kit, t, f, hair);
        Ears(c, kit, f, skin);
        Outline(kit.HeadPath, t.FaceShape, f);
        c.DrawPath(kit.HeadPath, kit.Fill(skin));
        // Outlines that reach past a fill are drawn in both passes, so the mask covers every pixel the person touches.
        c.DrawPath(kit.HeadPath, kit.Stroke(Shade(skin, 0.72f), 0.8f));
        HairPainter.DrawFront(c, kit, t, f, hair);
        if (!kit.Silhouette)
        {
            // Features never spill past the face; near the edge of a turned head they are occluded.
            c.Save();
            c.ClipPath(kit.HeadPath, SKClipOperation.Intersect, true);
            FacePainter.Draw(c, kit, s, f, skin, hair);
            c.Restore();
        }
        if (t.Mark == DistinctiveMark.Earrings) MarkPainter.DrawEarrings(c, kit, f);
        HeadwearPainter.Draw(c, kit, s, f);
    }

    private static void Outline(SKPath head, FaceShape shape, HeadFrame f)
    {
        float w = f.W, h = f.H;
        head.Reset();
        switch (shape)
        {
            case FaceShape.Square:
                head.AddRoundRect(SKRect.Create(-w, -h, 2 * w, 2 * h), w * 0.45f, h * 0.4f);
                break;
            case FaceShape.Heart:
                head.MoveTo(0, -h);
                head.CubicTo(w * 0.6f, -h, w, -h * 0.7f, w, -h * 0.15f);
                head.CubicTo(w, h * 0.45f, w * 0.45f, h * 0.8f, 0, h);
                head.CubicTo(-w * 0.45f, h * 0.8f, -w, h * 0.45f, -w, -h * 0.15f);
                head.CubicTo(-w, -h * 0.7f, -w * 0.6f, -h, 0, -h);
                head.Close();
                break;
            default:
                head.AddOval(SKRect.Create(-w, -h, 2 * w, 2 * h));
                break;
        }
    }

    private static void Ears(SKCanvas c, PaintKit kit, HeadFrame f, SKColor skin)
    {
        // Turning the head shows more of the ear it turns away from and hides the other.
        float left = Math.Clamp(1f + 0.4f * f.Yaw, 0.15f, 1.3f), right = Math.Clamp(1f - 0.4f * f.Yaw, 0.15f, 1.3f);
        var fill = kit.Fill(skin);
        c.DrawOval(-f.W + 0.5f - 1.5f * (left - 1f), 2f, 3.6f * left, 5f, fill);
        c.DrawOval(f.W - 0.5f + 1.5f * (right - 1f), 2f, 3.6f * right, 5f, fill);
        var line = kit.Stroke(Shade(skin, 0.72f), 0.7f);
        c.DrawOval(-f.W + 0.5f - 1.5f * (left - 1f), 2f, 3.6f * left, 5f, line);
        c.DrawOval(f.W - 0.5f + 1.5f * (right - 1f), 2f, 3.6f * right, 5f, line);
    }
}
